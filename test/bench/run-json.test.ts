import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { referenceAurocs, runAurocs, runEpochs } from '../../bench/lib/run-json.js';

// Shapes as `medtl run --json` and history.json write them (a holdout run of 8 Dec 2026, trimmed).
const metrics = {
  schema_version: 1,
  folds: [{ id: 'holdout', target: 'site_c', methods: [{ method: 'transfer', auroc: 0.75648 }, { method: 'target_only', auroc: 0.5012 }] }],
  pooled: { methods: [] },
};
const history = {
  folds: [{ fold: 'holdout', methods: [{ method: 'transfer', history: [{ phase: 'head', epochs: [1, 2, 3] }, { phase: 'all', epochs: [1] }] }] }],
};

test('runAurocs reads each method of the single fold, rounded to 3 decimals', () => {
  assert.deepEqual(runAurocs(metrics), { transfer: 0.756, target_only: 0.501 });
});

test('runAurocs qualifies method names by fold when there are several folds', () => {
  const two = { folds: [metrics.folds[0], { ...metrics.folds[0], id: 'f2', methods: [{ method: 'transfer', auroc: 0.6 }] }] };
  assert.deepEqual(runAurocs(two), { 'holdout/transfer': 0.756, 'holdout/target_only': 0.501, 'f2/transfer': 0.6 });
});

test('runEpochs counts the epochs of each phase', () => {
  assert.deepEqual(runEpochs(history), { transfer: [3, 1] });
});

test('referenceAurocs reads demo_pipeline.py top-level methods', () => {
  assert.deepEqual(referenceAurocs({ methods: [{ method: 'transfer', auroc: 0.7111 }] }), { transfer: 0.711 });
  assert.deepEqual(referenceAurocs(undefined), {});
});
