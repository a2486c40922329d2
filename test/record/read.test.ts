import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunFolderError, upgradeMetrics } from '../../src/record/read.js';

const V1 = {
  run_id: 'old',
  run_dir: '/x',
  seed: 42,
  target: 'hosp_d',
  sources: ['hosp_a'],
  backend: 'wasm',
  partitions: { target_test: 10 },
  methods: [{ method: 'transfer', strategy: 'freeze_unfreeze', auroc: 0.8 }],
  budget_curve: [],
};

test('upgradeMetrics: a record written before protocols becomes one hold-out fold', () => {
  const m = upgradeMetrics(V1, 'metrics.json');
  assert.equal(m.schema_version, 2);
  assert.deepEqual(m.protocol, { kind: 'holdout', folds: 1 });
  assert.equal(m.folds.length, 1);
  assert.equal(m.folds[0].id, 'holdout');
  assert.equal(m.folds[0].target, 'hosp_d');
  assert.deepEqual(m.folds[0].methods, V1.methods);
  assert.equal(m.folds[0].seeds.bootstrap, 42, 'old runs bootstrapped with the run seed');
  assert.deepEqual(m.pooled.methods[0].per_fold, [0.8]);
});

test('upgradeMetrics: bad documents are refused naming the file and field', () => {
  assert.throws(() => upgradeMetrics([], 'm.json'), (e: Error) => e instanceof RunFolderError && /m\.json: field 'methods' must be an array/.test(e.message));
  assert.throws(() => upgradeMetrics({ schema_version: 7 }, 'm.json'), /m\.json: schema_version 7 is not one this medtl reads \(1 or 2\)/);
  assert.throws(() => upgradeMetrics({ schema_version: 2, folds: [] }, 'm.json'), /field 'folds' must be a non-empty array/);
  assert.throws(() => upgradeMetrics({ schema_version: 2, folds: [{}] }, 'm.json'), /field 'folds\.0\.methods' must be an array/);
});
