import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { delongTest } from '../../src/evaluate/delong.js';
import { sensitivityAtSpecificity, specificityAtSensitivity } from '../../src/evaluate/operating-point.js';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'medtl-evaluate-extra-'));

function medtl(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// 80 rows, two methods, sex and age columns; scores are a fixed function of the row.
const n = 80;
const y = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
const a = y.map((v, i) => Math.min(1, Math.round((((i * 17) % 23) / 23 + 0.4 * v) * 100) / 100));
const b = y.map((v, i) => Math.min(1, Math.round((((i * 7) % 19) / 19 + 0.15 * v) * 100) / 100));
const file = join(dir, 'methods.csv');
writeFileSync(
  file,
  `${['subject_id,site,sex,age,y_true,y_score_transfer,y_score_scratch', ...y.map((v, i) => [`p${i}`, i < 50 ? 'hosp_a' : 'hosp_b', i % 2 ? 'M' : 'F', 30 + i, v, a[i], b[i]].join(','))].join('\n')}\n`,
);

test('medtl evaluate: sensitivity_at_specificity and specificity_at_sensitivity follow their flags', () => {
  const r = medtl(['evaluate', file, '--json', '--bootstrap', '50', '--at-specificity', '0.8', '--at-sensitivity', '0.7']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.at_specificity, 0.8);
  assert.equal(j.at_sensitivity, 0.7);
  assert.equal(j.score_column, 'y_score_transfer', 'without y_score, the first method is the overall score');
  assert.equal(j.overall.sensitivity_at_specificity, sensitivityAtSpecificity(y, a, 0.8));
  assert.equal(j.overall.specificity_at_sensitivity, specificityAtSensitivity(y, a, 0.7));
  assert.equal(j.overall.sensitivity_at_specificity_ci.length, 2);
  const d = JSON.parse(medtl(['evaluate', file, '--json', '--bootstrap', '50']).stdout);
  assert.equal(d.at_specificity, 0.9);
  assert.equal(d.overall.specificity_at_sensitivity, specificityAtSensitivity(y, a, 0.9));
  const bad = medtl(['evaluate', file, '--at-specificity', '1.5']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--at-specificity <p>' argument '1.5' is invalid\. expected a number in \[0, 1\]/);
});

test('medtl evaluate: y_score_<method> columns give one block per method and DeLong tests between pairs', () => {
  const r = medtl(['evaluate', file, '--json', '--bootstrap', '50']);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(
    j.methods.map((m: { method: string; column: string }) => [m.method, m.column]),
    [
      ['transfer', 'y_score_transfer'],
      ['scratch', 'y_score_scratch'],
    ],
  );
  assert.equal(j.methods[1].n, n);
  const ref = delongTest(y, a, b);
  assert.equal(j.comparisons.length, 1);
  const c = j.comparisons[0];
  assert.deepEqual([c.a, c.b, c.test, c.error], ['transfer', 'scratch', 'delong', null]);
  assert.equal(c.auroc_a, ref.aurocA);
  assert.equal(c.auroc_b, ref.aurocB);
  assert.equal(c.z, ref.z);
  assert.equal(c.p, ref.p);
  const t = medtl(['evaluate', file, '--bootstrap', '50']);
  assert.match(t.stdout, /method scratch \(n=80, positives=27\)/);
  assert.match(t.stdout, /transfer vs scratch: difference 0\.201, z 3\.059, p 0\.00222/);
  // A single y_score_<method> column without y_score is not enough.
  const one = join(dir, 'one.csv');
  writeFileSync(one, 'y_true,y_score_a\n0,0.1\n1,0.9\n');
  assert.match(medtl(['evaluate', one]).stderr, /one\.csv: missing column 'y_score'.*at least two 'y_score_<method>' columns/);
});

test('medtl evaluate --subgroup: counts per group, age bands, too-small groups flagged without CIs', () => {
  const r = medtl(['evaluate', file, '--json', '--bootstrap', '50', '--subgroup', 'sex', '--subgroup', 'age', '--age-bands', '0,60,90']);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.subgroup_min_per_class, 10);
  assert.deepEqual(
    j.subgroups.map((g: { column: string; group: string; n: number; n_positive: number; n_negative: number; too_small: boolean }) => [g.column, g.group, g.n, g.n_positive, g.n_negative, g.too_small]),
    [
      ['sex', 'F', 40, 14, 26, false],
      ['sex', 'M', 40, 13, 27, false],
      ['age', '[0, 60)', 30, 10, 20, false],
      ['age', '[60, 90)', 30, 10, 20, false],
      ['age', '>=90', 20, 7, 13, true],
    ],
  );
  const small = j.subgroups[4];
  assert.equal(small.reason, '7 positives (< 10): CIs not reported');
  assert.equal(small.auroc_ci, null);
  assert.equal(typeof small.auroc, 'number');
  assert.equal(j.subgroups[0].auroc_ci.length, 2);
  const loose = JSON.parse(medtl(['evaluate', file, '--json', '--bootstrap', '50', '--subgroup', 'age', '--age-bands', '0,60,90', '--min-per-class', '5']).stdout);
  assert.equal(loose.subgroups[2].too_small, false);
  const t = medtl(['evaluate', file, '--bootstrap', '50', '--subgroup', 'age', '--age-bands', '0,60,90']);
  assert.match(t.stdout, /subgroup age=>=90 \[too small: 7 positives \(< 10\): CIs not reported\]/);
});

test('medtl evaluate --subgroup: bad columns and bands are named', () => {
  const r = medtl(['evaluate', file, '--subgroup', 'race']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /methods\.csv: subgroup column 'race' is not in the data; columns: 'subject_id'/);
  const s = medtl(['evaluate', file, '--subgroup', 'sex', '--age-column', 'sex']);
  assert.equal(s.code, 1);
  assert.match(s.stderr, /subgroup column 'sex', data row 1: 'F' is not a number/);
  const bands = medtl(['evaluate', file, '--age-bands', '50,10']);
  assert.equal(bands.code, 1);
  assert.match(bands.stderr, /--age-bands <list>' argument '50,10' is invalid/);
  const multi = join(dir, 'multi.csv');
  writeFileSync(multi, 'y_true,score_a,score_b,sex\na,0.6,0.4,F\nb,0.3,0.7,M\n');
  assert.match(medtl(['evaluate', multi, '--subgroup', 'sex']).stderr, /multi\.csv: subgroups need a binary file/);
});
