import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { parseExperiment, type ExperimentInput } from '../../src/config/experiment.js';
import { runExperiment, type ExperimentResult } from '../../src/pipeline/experiment.js';
import type { MetricsJson } from '../../src/record/metrics-json.js';
import { Rng } from '../../src/util/random.js';

/** Three sites of a made-up tabular cohort (label depends on x, each site shifted), as CSV beside a manifest. */
async function threeSiteManifest(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-protocols-'));
  const rng = new Rng(11);
  for (const [site, shift] of [['east', -0.3], ['north', 0], ['south', 0.5]] as const) {
    const rows = ['pid,x,dx'];
    for (let i = 0; i < 100; i++) {
      const x = rng.normal() + shift;
      // Every site numbers its patients 1..100: subject identity is (site, id), so none collide.
      rows.push(`${i + 1},${x.toFixed(3)},${x + 0.7 * rng.normal() > shift ? 'yes' : 'no'}`);
    }
    await writeFile(join(dir, `${site}.csv`), `${rows.join('\n')}\n`);
  }
  await writeFile(
    join(dir, 'manifest.yaml'),
    `name: toy3
schema:
  - { name: x, kind: numeric }
defaults:
  subjectId: { column: pid }
  label: { column: dx, positive: [yes], negative: [no] }
sites:
  - { id: east, tables: [{ path: east.csv }] }
  - { id: north, tables: [{ path: north.csv }] }
  - { id: south, tables: [{ path: south.csv }] }
`,
  );
  return join(dir, 'manifest.yaml');
}

// Small and fast: two short phases, few resamples, a 30-subject budget so a k-fold's pool holds it.
const FAST = {
  seed: 3,
  split: { targetBudget: 30 },
  training: { pretrain: { epochs: 3 }, head: { epochs: 2 }, finetune: { epochs: 2 }, scratch: { epochs: 3 } },
  evaluation: { bootstrapResamples: 30, budgetCurve: [] },
};

let manifest = '';
const run = async (extra: ExperimentInput, runId: string): Promise<ExperimentResult> => {
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-protocols-ws-'));
  return runExperiment(parseExperiment({ ...FAST, workspace, data: { kind: 'manifest', path: manifest }, ...extra }), { runId });
};

before(async () => {
  manifest = await threeSiteManifest();
});

test('leave_one_site_out: one fold per site, each drawing exactly what a hold-out run with that target draws, pooled with paired t-intervals', async () => {
  const loso = await run({ protocol: 'leave_one_site_out' }, 'loso');
  assert.deepEqual(loso.folds.map((f) => [f.id, f.target, f.sources.join('+')]), [
    ['east', 'east', 'north+south'],
    ['north', 'north', 'east+south'],
    ['south', 'south', 'east+north'],
  ]);
  const holdout = await run({ target: 'north' }, 'holdout-north');
  assert.equal(holdout.folds.length, 1);
  // Same root seed, same labelled draws: the fold equals the hold-out run to the last bit.
  assert.deepEqual(loso.folds[1].partitions, holdout.folds[0].partitions);
  assert.deepEqual(
    loso.folds[1].methods.map((m) => [m.method, m.evaluation]),
    holdout.folds[0].methods.map((m) => [m.method, m.evaluation]),
  );
  // Pooled rows are the per-fold values, with a t-interval over 3 folds.
  for (const pm of loso.pooled.methods) {
    assert.deepEqual(pm.perFold, loso.folds.map((f) => f.methods.find((m) => m.method === pm.method)!.evaluation.auroc));
    assert.equal(pm.auroc.n, 3);
    assert.ok(pm.auroc.ci[0] <= pm.auroc.mean && pm.auroc.mean <= pm.auroc.ci[1]);
  }
  const transferVsSource = loso.pooled.comparisons.find((c) => c.method === 'transfer' && c.reference === 'source_only')!;
  const perFold = loso.folds.map((f) => f.comparisons.find((c) => c.method === 'transfer' && c.reference === 'source_only')!.delta.difference);
  assert.ok(Math.abs(transferVsSource.delta.mean - perFold.reduce((a, b) => a + b, 0) / 3) < 1e-12, 'the pooled Δ is the mean of the paired per-fold Δs');
  // The record: every fold with its methods, a fold column in predictions.csv, models per fold, and the report's protocol section.
  const metrics = JSON.parse(await readFile(join(loso.runDir, 'metrics.json'), 'utf8')) as MetricsJson;
  assert.deepEqual(metrics.protocol, { kind: 'leave_one_site_out', folds: 3 });
  assert.deepEqual(metrics.folds.map((f) => f.id), ['east', 'north', 'south']);
  const preds = (await readFile(join(loso.runDir, 'predictions.csv'), 'utf8')).trim().split('\n');
  assert.equal(preds[0], 'fold,method,site,subject_id,y_true,y_score');
  assert.deepEqual(new Set(preds.slice(1).map((l) => l.split(',')[0])), new Set(['east', 'north', 'south']));
  for (const f of ['east', 'north', 'south']) assert.ok(existsSync(join(loso.runDir, 'models', f, 'transfer', 'manifest.json')), f);
  const html = await readFile(loso.report.html, 'utf8');
  assert.match(html, /<section id="protocol"><h2>Across folds \(leave_one_site_out\)<\/h2>/);
  assert.match(html, /transfer − source_only/);
});

test('grouped_kfold: every target subject is tested exactly once, sources split (and pretrain) once for all folds', async () => {
  const r = await run({ protocol: { kind: 'grouped_kfold', k: 3 }, target: 'south' }, 'kfold');
  assert.deepEqual(r.folds.map((f) => f.id), ['fold-1', 'fold-2', 'fold-3']);
  const tests = r.folds.map((f) => f.partitions.targetTest);
  assert.equal(tests.reduce((a, b) => a + b, 0), 100, 'the 100 south subjects split across the 3 test folds');
  for (const f of r.folds) {
    assert.deepEqual(
      [f.partitions.sourceTrain, f.partitions.sourceVal, f.partitions.sourceTest],
      [r.folds[0].partitions.sourceTrain, r.folds[0].partitions.sourceVal, r.folds[0].partitions.sourceTest],
    );
    assert.equal(f.partitions.targetLabelledTrain + f.partitions.targetLabelledVal + f.partitions.targetUnlabelled + f.partitions.targetTest, 100);
  }
  const rows = (await readFile(join(r.runDir, 'predictions.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
  const tested = rows.filter((x) => x[1] === 'transfer').map((x) => `${x[2]}/${x[3]}`);
  assert.equal(new Set(tested).size, 100, 'no subject is in two test folds');
  // The source_only model is the pretrained one: one pretraining served every fold.
  const sourceOnly = r.folds.map((f) => f.methods.find((m) => m.method === 'source_only')!.history.length);
  assert.ok(sourceOnly.every((n) => n === sourceOnly[0]));
});

test('repeated: listed seeds are the folds; each draws other partitions', async () => {
  const r = await run({ protocol: { kind: 'repeated', seeds: [5, 6] }, target: 'east', methods: [{ name: 'scratch', strategy: 'target_only', modalities: ['tabular'] }] }, 'rep');
  assert.deepEqual(r.folds.map((f) => f.id), ['seed-5', 'seed-6']);
  assert.deepEqual(r.folds.map((f) => f.seeds.root), [5, 6]);
  assert.notDeepEqual(r.folds[0].methods[0].evaluation, r.folds[1].methods[0].evaluation);
  assert.deepEqual(r.pooled.comparisons, [], 'no reference method ran');
});

test('protocol errors are named before any training', async () => {
  await assert.rejects(run({ protocol: { kind: 'leave_one_site_out', targets: ['west'] } }, 'e1'), /protocol\.targets: 'west' is not a site of the cohort; sites: east, north, south/);
  await assert.rejects(run({ protocol: { kind: 'grouped_kfold', k: 90 }, target: 'south' }, 'e2'), /protocol grouped_kfold on target 'south': k=90 exceeds the \d+ subjects with label/);
  // k = 2 holds out half of the 100 south subjects, so a fold's pool has 50: a 90-label budget cannot come from it.
  await assert.rejects(run({ protocol: { kind: 'grouped_kfold', k: 2 }, target: 'south', split: { targetBudget: 90 } }, 'e3'), /protocol grouped_kfold, fold 'fold-1': target label budget 90 exceeds the 50 target training subjects/);
  assert.throws(() => parseExperiment({ protocol: 'leave_one_site_out', sources: ['a'] }), /sources: protocol leave_one_site_out uses every site but the fold's target as sources/);
  assert.throws(() => parseExperiment({ protocol: { kind: 'repeated', seeds: [1, 1] } }), /protocol\.seeds: a seed is repeated/);
  assert.throws(() => parseExperiment({ protocol: 'bootstrap' }), /protocol/);
  assert.throws(() => parseExperiment({ evaluation: { references: ['nope'] } }), /evaluation\.references: 'nope' is not a configured method/);
});
