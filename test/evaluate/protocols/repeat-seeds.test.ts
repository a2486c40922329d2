import assert from 'node:assert/strict';
import { test } from 'node:test';
import { repeatSeeds, summariseSeeds } from '../../../src/evaluate/protocols/repeat-seeds.js';

test('repeatSeeds runs each seed once, in order, and summariseSeeds gives mean and sample sd', async () => {
  const order: number[] = [];
  const results = await repeatSeeds([3, 1, 2], async (seed) => {
    order.push(seed);
    return { auroc: 0.7 + seed / 100, accuracy: 0.5 };
  });
  assert.deepEqual(order, [3, 1, 2]);
  assert.deepEqual(results.map((r) => r.seed), [3, 1, 2]);
  const s = summariseSeeds(results);
  assert.equal(s.n_seeds, 3);
  assert.deepEqual(s.seeds, [3, 1, 2]);
  assert.ok(Math.abs(s.metrics.auroc.mean - 0.72) < 1e-12);
  // Values 0.71, 0.72, 0.73: sample sd = sqrt((0.01^2 + 0 + 0.01^2) / 2) = 0.01.
  assert.ok(Math.abs(s.metrics.auroc.sd! - 0.01) < 1e-12);
  assert.equal(s.metrics.auroc.n, 3);
  assert.equal(s.metrics.accuracy.sd, 0);
});

test('one seed gives sd null', () => {
  const s = summariseSeeds([{ seed: 7, metrics: { auroc: 0.8 } }]);
  assert.deepEqual(s, { n_seeds: 1, seeds: [7], metrics: { auroc: { mean: 0.8, sd: null, n: 1 } } });
});

test('bad inputs are rejected with the seed and metric named', async () => {
  await assert.rejects(repeatSeeds([], async () => ({})), /at least one seed/);
  await assert.rejects(repeatSeeds([1, 2, 1], async () => ({})), /seed 1 is repeated/);
  await assert.rejects(repeatSeeds([1], async () => { throw new Error('boom'); }), /boom/);
  assert.throws(() => summariseSeeds([]), /at least one seed result/);
  assert.throws(
    () => summariseSeeds([{ seed: 1, metrics: { auroc: 0.7 } }, { seed: 2, metrics: { auroc: 0.7, f1: 0.5 } }]),
    /seed 2 reports metrics \[auroc, f1\], seed 1 reports \[auroc\]/,
  );
  assert.throws(() => summariseSeeds([{ seed: 4, metrics: { auroc: NaN } }]), /metric auroc of seed 4 is NaN/);
});
