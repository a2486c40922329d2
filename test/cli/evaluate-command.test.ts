import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'medtl-evaluate-'));

function medtl(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function csv(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

// 40 rows over two sites; scores are a fixed function of the row, with ties.
function goodBinary(): string {
  const rows = ['subject_id,site,y_true,y_score'];
  for (let i = 0; i < 40; i++) {
    const y = i % 3 === 0 ? 1 : 0;
    const s = Math.min(1, Math.round((((i * 17) % 23) / 23 + 0.3 * y) * 10) / 10);
    rows.push(`p${i},${i < 24 ? 'hosp_a' : 'hosp_b'},${y},${s}`);
  }
  return `${rows.join('\n')}\n`;
}

const METRICS = [
  'auroc',
  'auprc',
  'accuracy',
  'balanced_accuracy',
  'f1',
  'mcc',
  'brier',
  'ece',
  'sensitivity',
  'specificity',
  'sensitivity_at_specificity',
  'specificity_at_sensitivity',
];

test('medtl evaluate --json: every metric with a CI, overall and per site, same numbers for the same seed', () => {
  const f = csv('good.csv', goodBinary());
  const a = medtl(['evaluate', f, '--json', '--bootstrap', '200', '--seed', '3']);
  assert.equal(a.code, 0, a.stderr);
  const j = JSON.parse(a.stdout);
  assert.deepEqual(Object.keys(j), [
    'file',
    'task',
    'classes',
    'n',
    'threshold',
    'ece_bins',
    'score_column',
    'at_specificity',
    'at_sensitivity',
    'bootstrap',
    'overall',
    'sites',
    'subgroup_min_per_class',
    'subgroups',
    'methods',
    'comparisons',
    'warnings',
  ]);
  assert.equal(j.task, 'binary');
  assert.equal(j.n, 40);
  assert.deepEqual(j.bootstrap, { resamples: 200, level: 0.95, seed: 3, stratified_by: 'y_true' });
  assert.deepEqual(j.warnings, []);
  assert.deepEqual(
    j.sites.map((s: { site: string; n: number }) => [s.site, s.n]),
    [
      ['hosp_a', 24],
      ['hosp_b', 16],
    ],
  );
  for (const block of [j.overall, ...j.sites]) {
    for (const m of METRICS) {
      assert.equal(typeof block[m], 'number', m);
      // A percentile interval need not contain the estimate (ECE is biased upward under
      // resampling), so only its order and range are checked here.
      const [lo, hi] = block[`${m}_ci`];
      assert.ok(lo <= hi && lo >= -1 && hi <= 1, `${m}: [${lo}, ${hi}]`);
    }
    const [[tn, fp], [fn, tp]] = block.confusion_matrix;
    assert.equal(tn + fp + fn + tp, block.n);
    assert.equal(fn + tp, block.n_positive);
  }
  assert.equal(medtl(['evaluate', f, '--json', '--bootstrap', '200', '--seed', '3']).stdout, a.stdout, 'same seed, same output');
  const c = medtl(['evaluate', f, '--json', '--bootstrap', '200', '--seed', '4']);
  assert.notDeepEqual(JSON.parse(c.stdout).overall.auroc_ci, j.overall.auroc_ci);
  assert.equal(JSON.parse(c.stdout).overall.auroc, j.overall.auroc);
  const t = medtl(['evaluate', f, '--bootstrap', '50']);
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /^overall \(n=40, positives=14\)/);
  assert.match(t.stdout, /site hosp_b/);
  assert.match(t.stdout, /balanced_accuracy +\d\.\d{3} +\[\d\.\d{3}, \d\.\d{3}\]/);
});

test('medtl evaluate: multi-class score_<class> columns', () => {
  const rows = ['y_true,score_cat,score_dog,score_eel'];
  const names = ['cat', 'dog', 'eel'];
  for (let i = 0; i < 30; i++) {
    const k = i % 3;
    const p = [0.2, 0.2, 0.2];
    p[(k + (i % 5 === 0 ? 1 : 0)) % 3] = 0.6;
    rows.push(`${names[k]},${p.join(',')}`);
  }
  const r = medtl(['evaluate', csv('multi.csv', `${rows.join('\n')}\n`), '--json', '--bootstrap', '50']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.task, 'multiclass');
  assert.deepEqual(j.classes, names);
  assert.equal(j.threshold, null);
  assert.deepEqual(j.overall.class_counts, { cat: 10, dog: 10, eel: 10 });
  assert.deepEqual(Object.keys(j.overall.auroc_ovr), names);
  for (const m of ['auroc', 'accuracy', 'balanced_accuracy']) assert.equal(j.overall[`${m}_ci`].length, 2, m);
  assert.equal(j.overall.confusion_matrix.length, 3);
  assert.deepEqual(j.sites, []);
});

test('medtl evaluate: a missing column names the file and the columns found', () => {
  const f = csv('nocol.csv', 'y_true,score\n0,0.1\n1,0.9\n');
  const r = medtl(['evaluate', f]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /nocol\.csv: missing column 'y_score'.*found columns: 'y_true', 'score'/);
  const g = medtl(['evaluate', csv('notrue.csv', 'label,y_score\n0,0.1\n')]);
  assert.equal(g.code, 1);
  assert.match(g.stderr, /notrue\.csv: missing column 'y_true'/);
  assert.equal(r.stdout, '');
});

test('medtl evaluate: a non-numeric score names file, line and column', () => {
  const r = medtl(['evaluate', csv('text.csv', 'y_true,y_score\n0,0.1\n1,high\n')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /text\.csv: line 3 \(data row 2\), column 'y_score': 'high' is not a number/);
});

test('medtl evaluate: NaN and empty scores are rejected with their place', () => {
  const r = medtl(['evaluate', csv('nan.csv', 'y_true,y_score\n0,0.1\n1,0.9\n0,NaN\n')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /nan\.csv: line 4 \(data row 3\), column 'y_score': NaN/);
  const e = medtl(['evaluate', csv('empty.csv', 'y_true,score_a,score_b\na,0.5,0.5\nb,,0.4\n')]);
  assert.equal(e.code, 1);
  assert.match(e.stderr, /empty\.csv: line 3 \(data row 2\), column 'score_a': empty cell/);
});

test('medtl evaluate: labels that are not 0/1 and scores outside [0, 1] are rejected', () => {
  const r = medtl(['evaluate', csv('label.csv', 'y_true,y_score\n0,0.1\n2,0.9\n')]);
  assert.match(r.stderr, /label\.csv: line 3 \(data row 2\), column 'y_true': '2' is not a binary label; expected 0 or 1/);
  const s = medtl(['evaluate', csv('logit.csv', 'y_true,y_score\n0,-1.5\n1,2\n')]);
  assert.match(s.stderr, /logit\.csv: line 2 \(data row 1\), column 'y_score': -1\.5 is outside \[0, 1\]/);
  const m = medtl(['evaluate', csv('class.csv', 'y_true,score_a,score_b\na,0.5,0.5\nc,0.6,0.4\n')]);
  assert.match(m.stderr, /class\.csv: line 3 \(data row 2\), column 'y_true': 'c' has no score column; classes from the header: a, b/);
});

test('medtl evaluate: single-class y_true says which metrics are undefined and why, and still reports the rest', () => {
  const r = medtl(['evaluate', csv('single.csv', 'y_true,y_score\n0,0.1\n0,0.7\n0,0.3\n0,0.2\n'), '--json', '--bootstrap', '50']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const m of ['auroc', 'auprc', 'balanced_accuracy', 'mcc', 'sensitivity']) {
    assert.equal(j.overall[m], null, m);
    assert.equal(j.overall[`${m}_ci`], null, m);
  }
  assert.equal(j.overall.specificity, 0.75);
  assert.equal(j.overall.accuracy, 0.75);
  assert.equal(j.overall.f1, 0);
  assert.equal(j.warnings.length, 1);
  assert.match(r.stderr, /single\.csv: overall: y_true is 0 in all 4 rows, so undefined \(null\): auroc \(needs both classes in y_true\), auprc \(needs a positive in y_true\)/);
  assert.match(r.stderr, /sensitivity \(needs a positive in y_true\)/);
});
