import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairedSeedComparison, pairedVerdict } from '../../src/evaluate/paired-seeds.js';

test('pairedSeedComparison: pairs by seed, not by position, so the interval of a small steady gain excludes 0', () => {
  // Seeds differ a lot (0.70 to 0.90) but the method gains 0.010-0.014 on each one's own test set.
  const a = new Map([
    [1, 0.81],
    [2, 0.714],
    [3, 0.912],
    [4, 0.762],
  ]);
  // The reference finished its seeds in another order: pairing by insertion position would compare seed 1 with seed 3.
  const b = new Map([
    [3, 0.9],
    [1, 0.8],
    [4, 0.75],
    [2, 0.702],
  ]);
  const c = pairedSeedComparison(a, b);
  assert.deepEqual(c.seeds, [1, 2, 3, 4]);
  // Differences are exact up to float rounding of the inputs (1e-12).
  [0.01, 0.012, 0.012, 0.012].forEach((d, i) => assert.ok(Math.abs(c.differences[i] - d) < 1e-12, `difference ${i}`));
  assert.ok(Math.abs(c.mean - 0.0115) < 1e-12);
  assert.ok(c.ci[0] > 0, `paired interval ${c.ci} excludes 0`);
  assert.equal(c.verdict, 'better');
  assert.deepEqual(c.unpaired, []);
});

test('pairedSeedComparison: seeds only one side has are left out and named; lower-is-better metrics flip the verdict', () => {
  const a = new Map([
    [1, 0.2],
    [2, 0.21],
    [3, 0.19],
    [7, 0.5],
  ]);
  const b = new Map([
    [1, 0.25],
    [2, 0.26],
    [3, 0.245],
    [9, 0.1],
  ]);
  const c = pairedSeedComparison(a, b, { higherIsBetter: false });
  assert.deepEqual(c.seeds, [1, 2, 3]);
  assert.deepEqual(c.unpaired, [7, 9]);
  assert.ok(c.ci[1] < 0);
  // A Brier score that falls on every seed is an improvement.
  assert.equal(c.verdict, 'better');
  assert.equal(pairedSeedComparison(a, b).verdict, 'worse');
});

test('pairedVerdict: better or worse only where the interval excludes 0', () => {
  assert.equal(pairedVerdict([0.001, 0.02]), 'better');
  assert.equal(pairedVerdict([-0.02, -0.001]), 'worse');
  assert.equal(pairedVerdict([-0.001, 0.05]), 'not shown');
  assert.equal(pairedVerdict([0, 0.05]), 'not shown');
  assert.equal(pairedVerdict([Number.NaN, Number.NaN]), 'n/a');
  const one = pairedSeedComparison(new Map([[1, 0.9]]), new Map([[1, 0.8]]));
  assert.equal(one.verdict, 'n/a', 'one seed has no interval');
  assert.throws(() => pairedSeedComparison(new Map([[1, 0.9]]), new Map([[2, 0.8]])), /no seed in common \(method seeds 1, reference seeds 2\)/);
});
