import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function medtl(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8', env: { ...process.env, MEDTL_WASM_THREADS: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// A shrunken demo: same pipeline and methods, fewer pixels and epochs, so it runs in seconds.
const TINY = `
name: tiny
data: { kind: synthetic, imageSize: 32 }
preprocess: { imageSize: 16 }
model: { imageFilters: [4, 8] }
training:
  pretrain: { epochs: 2 }
  head: { epochs: 2 }
  finetune: { epochs: 2 }
  scratch: { epochs: 2 }
evaluation: { bootstrapResamples: 50 }
`;

test('medtl run --json: the documented shape, the run record, and the same numbers for the same seed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-run-'));
  const file = join(dir, 'tiny.yaml');
  await writeFile(file, TINY);
  const a = medtl(['run', file, '--json', '--quiet', '--seed', '3', '--workspace', join(dir, 'ws')]);
  assert.equal(a.code, 0, a.stderr);
  const b = medtl(['run', file, '--json', '--quiet', '--seed', '3', '--workspace', join(dir, 'ws')]);
  assert.equal(b.code, 0, b.stderr);
  const ra = JSON.parse(a.stdout);
  const rb = JSON.parse(b.stdout);
  assert.equal(ra.schema_version, 2);
  assert.deepEqual(ra.protocol, { kind: 'holdout', folds: 1 });
  assert.equal(ra.folds.length, 1);
  const ja = { ...ra.folds[0], run_dir: ra.run_dir };
  const jb = { ...rb.folds[0], run_dir: rb.run_dir };
  assert.equal(ja.id, 'holdout');
  // Each method is compared, paired, with the better-of groups best_source and best_target_only (each member
  // with its group too); embedding_logistic reads the source image encoder, so it is in neither group.
  const names = ja.methods.map((m: { method: string }) => m.method);
  assert.deepEqual(
    ja.comparisons.map((c: { method: string; reference: string }) => `${c.method}-${c.reference}`),
    ['best_source', 'best_target_only'].flatMap((ref) => names.map((m: string) => `${m}-${ref}`)),
  );
  const resolved = (ref: string): Set<string> => new Set(ja.comparisons.filter((c: { reference: string }) => c.reference === ref).map((c: { reference_resolved: string }) => c.reference_resolved));
  assert.ok(['source_only', 'source_only_logistic'].includes([...resolved('best_source')][0]) && resolved('best_source').size === 1);
  assert.ok(['target_only', 'target_only_logistic'].includes([...resolved('best_target_only')][0]) && resolved('best_target_only').size === 1);
  for (const c of ja.comparisons) assert.ok(c.delta_ci[0] <= c.delta_auroc && c.delta_auroc <= c.delta_ci[1], `${c.method}-${c.reference}: ${c.delta_ci} around ${c.delta_auroc}`);
  assert.deepEqual(ra.pooled.methods.map((m: { auroc: { mean: number } }) => m.auroc.mean), ja.methods.map((m: { auroc: number }) => m.auroc));
  // source_only returns the source model itself; freeze_unfreeze trains it (two epochs of each phase
  // here, with no early stopping before the first), so it moves; target_only never started from it.
  const kept = Object.fromEntries(ja.methods.map((m: { method: string; kept_source_model: boolean | null }) => [m.method, m.kept_source_model]));
  assert.deepEqual([kept.source_only, kept.target_only, kept.transfer_tabular_only], [true, null, false]);
  // transfer is auto: its choice and every candidate's inner-CV score are in its transfer report, and choosing source_only keeps the source model.
  const auto = ja.methods[0].transfer_report.auto;
  assert.equal(ja.methods[0].strategy, 'auto');
  assert.ok(auto.candidates.length >= 5 && auto.candidates.some((c: { name: string }) => c.name === auto.chosen), JSON.stringify(auto));
  if (auto.chosen === 'source_only') assert.equal(kept.transfer, true);
  assert.ok(Array.isArray(ja.methods));
  assert.deepEqual(
    ja.methods.map((m: { method: string }) => m.method),
    ['transfer', 'target_only', 'source_only', 'source_only_logistic', 'target_only_logistic', 'embedding_logistic', 'transfer_image_only', 'transfer_tabular_only'],
  );
  for (const m of ja.methods) {
    for (const k of ['auroc', 'accuracy', 'sensitivity', 'specificity']) assert.equal(typeof m[k], 'number', `${m.method}.${k}`);
    assert.equal(m.auroc_ci.length, 2);
    assert.ok(m.auroc_ci[0] <= m.auroc && m.auroc <= m.auroc_ci[1], `${m.method}: ${m.auroc_ci} around ${m.auroc}`);
    assert.ok(Number.isInteger(m.n_test) && m.n_test > 0);
  }
  assert.deepEqual(ja.methods, jb.methods, 'same seed, same numbers');
  assert.notEqual(ja.run_dir, jb.run_dir);
  for (const f of ['config.json', 'metrics.json', 'predictions.csv', 'history.json', 'models/transfer/manifest.json', 'models/transfer/weights.bin']) {
    assert.ok(existsSync(join(ja.run_dir, f)), f);
  }
  for (const f of ['source-predictions.csv', 'subjects.csv', 'report.html', 'model-card.md', 'model-card.json']) assert.ok(existsSync(join(ja.run_dir, f)), f);
  // The default curve retrains transfer and target_only at budgets 20 and 40.
  assert.deepEqual(
    ja.budget_curve.map((p: { method: string; budget: number }) => `${p.method}@${p.budget}`),
    ['transfer@20', 'target_only@20', 'transfer@40', 'target_only@40'],
  );
  for (const m of ja.methods) {
    assert.equal(m.n_val, 18, `${m.method}: 30% of the 60-subject budget validates`);
    assert.ok(m.youden === null || (m.youden.threshold > 0 && m.youden.threshold < 1), `${m.method}: a threshold from the validation scores`);
    assert.ok(m.temperature_scaling.temperature > 0);
  }
  assert.deepEqual(JSON.parse(await readFile(join(ja.run_dir, 'metrics.json'), 'utf8')).folds[0].methods, ja.methods);
  // The shift summary: source_only's own target AUROC and CI, its source-test AUROC, and the synthetic oracle.
  const so = ja.methods.find((m: { method: string }) => m.method === 'source_only');
  const pen = ja.shift.penalty;
  assert.equal(pen.method, 'source_only');
  assert.deepEqual([pen.target_test.auroc, pen.target_test.ci, pen.target_test.n], [so.auroc, so.auroc_ci, so.n_test]);
  assert.equal(pen.source_test.n, ja.partitions.source_test);
  assert.ok(Math.abs(pen.difference - (pen.source_test.auroc - pen.target_test.auroc)) < 1e-12);
  assert.ok(pen.ci[0] <= pen.difference && pen.difference <= pen.ci[1], `${pen.ci} around ${pen.difference}`);
  const oracle = ja.shift.oracle;
  assert.equal(oracle.n, so.n_test);
  assert.deepEqual(oracle.source_risk.map((r: { site: string }) => r.site), ['hosp_a', 'hosp_b', 'hosp_c']);
  // hosp_d's concept shift: on its test subjects the sources' true risk function ranks clearly worse than its own.
  for (const r of oracle.source_risk) assert.ok(r.auroc < oracle.auroc - 0.05, `${r.site}: ${r.auroc} vs ${oracle.auroc}`);
  // The saved transfer model, loaded in a new process, reproduces the run's own test predictions.
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', new URL('../helpers/rescore-run.ts', import.meta.url).pathname, ja.run_dir, join(dir, 'ws', 'cohorts', 'synthetic-s3-32px'), 'transfer'],
    { encoding: 'utf8', env: { ...process.env, MEDTL_WASM_THREADS: '1' } },
  );
  assert.equal(child.status, 0, child.stderr);
  const rescored = JSON.parse(child.stdout) as { keys: string[]; scores: number[] };
  const recorded = new Map(
    (await readFile(join(ja.run_dir, 'predictions.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .filter((r) => r[0] === 'holdout' && r[1] === 'transfer')
      .map((r): [string, number] => [`${r[2]}/${r[3]}`, Number(r[5])]),
  );
  assert.equal(rescored.keys.length, ja.methods[0].n_test);
  // Same backend, thread count, weights and inputs: the float32 scores must match exactly.
  rescored.keys.forEach((k, i) => assert.equal(Math.fround(rescored.scores[i]), Math.fround(recorded.get(k)!), k));
  const c = medtl(['run', file, '--json', '--quiet', '--seed', '4', '--workspace', join(dir, 'ws')]);
  assert.notDeepEqual(JSON.parse(c.stdout).folds[0].methods, ja.methods, 'another seed, other numbers');
});

test('medtl run: a bad config exits 2 and names the key and the expected form', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-run-'));
  const file = join(dir, 'bad.yaml');
  await writeFile(file, 'seed: 1\ntraining:\n  head: { epochs: ten, lr: 1 }\n');
  const r = medtl(['run', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.yaml/);
  assert.match(r.stderr, /training\.head\.epochs: .*expected number, received string/);
  assert.match(r.stderr, /unknown key 'lr' in training\.head/);
  assert.equal(r.stdout, '');
});

test('medtl run: an unknown strategy or site is reported before any training', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-run-'));
  const file = join(dir, 'x.yaml');
  await writeFile(file, `workspace: ${JSON.stringify(join(dir, 'ws'))}\nmethods: [{ name: m, strategy: nope, modalities: [image] }]\n`);
  const r = medtl(['run', file]);
  assert.equal(r.code, 1);
  // Other strategies join the registry over time; the message lists them all, in sorted order.
  assert.match(r.stderr, /unknown transfer strategy 'nope'; known: ([a-z0-9_]+, )*freeze_unfreeze, ([a-z0-9_]+, )*source_only, ([a-z0-9_]+, )*target_only(, [a-z0-9_]+)*\n/);
  await writeFile(file, `workspace: ${JSON.stringify(join(dir, 'ws'))}\ntarget: hosp_z\n${TINY.replace('name: tiny', '')}`);
  const s = medtl(['run', file]);
  assert.equal(s.code, 1);
  assert.match(s.stderr, /target site 'hosp_z' is not in the cohort; sites: hosp_a, hosp_b, hosp_c, hosp_d/);
});
