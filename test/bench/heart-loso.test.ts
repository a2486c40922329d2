import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { heartRowKey, runHeartCell, type HeartLosoRow } from '../../bench/heart-loso-grid.js';
import { parseExperiment } from '../../src/config/experiment.js';
import { defineStrategy } from '../../src/transfer/define.js';
import { cloneModel } from '../../src/transfer/model-ops.js';
import { NO_OPTIONS } from '../../src/transfer/options.js';
import { registerStrategy } from '../../src/transfer/registry.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';
import { makeSamples, TEST_SCHEMA } from '../helpers/samples.js';

// Two strategies that differ only in whether the returned weights moved away from the source model's.
registerStrategy(
  defineStrategy({
    name: 'bench_test_keep',
    description: 'returns a copy of the source model',
    options: NO_OPTIONS,
    usesSource: true,
    usesPretrained: true,
    async run(ctx) {
      const p = await ctx.pretrained();
      return { ...p, model: cloneModel(p.model, 1) };
    },
  }),
);
registerStrategy(
  defineStrategy({
    name: 'bench_test_move',
    description: 'returns a copy of the source model with one weight nudged',
    options: NO_OPTIONS,
    usesSource: true,
    usesPretrained: true,
    async run(ctx) {
      const p = await ctx.pretrained();
      const m = cloneModel(p.model, 1);
      const w = m.net.getWeights();
      const last = w[w.length - 1];
      m.net.setWeights([...w.slice(0, -1), tf.add(last, 1e-3)]);
      return { ...p, model: m };
    },
  }),
);

test('runHeartCell: one row per strategy and budget, budget-free source_only once, kept_source_model from the weights, resumable', async () => {
  await useCpuBackend();
  const dir = mkdtempSync(join(tmpdir(), 'heart-loso-'));
  const rowsFile = join(dir, 'rows.jsonl');
  const samples = makeSamples({ sites: ['a', 'b', 'c'], perSite: 60, seed: 3 });
  // Two epochs per phase: the test is about the rows, not the models' quality.
  const cfg = parseExperiment({ training: { pretrain: { epochs: 2 }, head: { epochs: 2 }, finetune: { epochs: 2 }, scratch: { epochs: 2 } } });
  const done = new Set<string>();
  const seen: HeartLosoRow[] = [];
  const setup = { samples, schema: TEST_SCHEMA, cfg, rowsFile, done, options: {}, backend: 'cpu', commit: 'test', onRow: (r: HeartLosoRow) => seen.push(r) };
  const strategies = ['source_only', 'bench_test_keep', 'bench_test_move', 'target_only'];
  await runHeartCell(setup, 'c', 1, [0, 0.5], strategies);
  const rows = readFileSync(rowsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HeartLosoRow);
  assert.deepEqual(rows, seen);
  assert.deepEqual(
    rows.map((r) => [r.strategy, r.budget]),
    [
      ['source_only', null],
      ['bench_test_keep', 0],
      ['bench_test_move', 0],
      ['target_only', 0],
      ['bench_test_keep', 0.5],
      ['bench_test_move', 0.5],
      ['target_only', 0.5],
    ],
  );
  const at = (s: string, b: number | null) => rows.find((r) => r.strategy === s && r.budget === b)!;
  assert.equal(at('source_only', null).kept_source_model, true);
  assert.equal(at('bench_test_keep', 0.5).kept_source_model, true);
  assert.equal(at('bench_test_move', 0.5).kept_source_model, false);
  assert.equal(at('target_only', 0.5).kept_source_model, null, 'target_only does not start from the source weights');
  // A strategy that cannot run leaves a row saying why, rather than stopping the grid.
  assert.match(at('target_only', 0).error ?? '', /label budget/);
  assert.equal(at('target_only', 0).auroc, null);
  // The test set is the fixed third of site c at every budget; the budget's labels grow.
  assert.ok(rows.every((r) => r.n_test === 20));
  assert.equal(at('bench_test_keep', 0).n_labelled, 0);
  assert.equal(at('bench_test_keep', 0.5).n_labelled, 20);
  for (const r of rows.filter((x) => !x.error)) assert.ok(r.brier !== null && r.brier >= 0 && r.brier <= 1 && r.auroc !== null);
  // Resuming skips every row already written.
  const again = new Set(rows.map(heartRowKey));
  const more: HeartLosoRow[] = [];
  await runHeartCell({ ...setup, done: again, onRow: (r) => more.push(r) }, 'c', 1, [0, 0.5], strategies);
  assert.equal(more.length, 0);
  assert.equal(readFileSync(rowsFile, 'utf8').trim().split('\n').length, rows.length);
});
