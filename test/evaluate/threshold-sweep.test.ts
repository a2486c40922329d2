import assert from 'node:assert/strict';
import { test } from 'node:test';
import { thresholdSweep } from '../../src/evaluate/threshold-sweep.js';

// Brute force: for every distinct score, descending, count the positives and negatives at or above it.
function bruteForce(y: number[], s: number[]) {
  const thresholds = [...new Set(s)].sort((a, b) => b - a);
  return thresholds.map((t) => ({
    threshold: t,
    tp: y.filter((v, i) => v === 1 && s[i] >= t).length,
    fp: y.filter((v, i) => v !== 1 && s[i] >= t).length,
  }));
}

test('thresholdSweep gives one step per distinct score with cumulative counts, ties included', () => {
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let t = 0; t < 100; t++) {
    const n = 1 + Math.floor(next() * 40);
    const y = Array.from({ length: n }, () => (next() < 0.5 ? 1 : 0));
    const s = Array.from({ length: n }, () => Math.round(next() * 6) / 6);
    const r = thresholdSweep(y, s);
    assert.equal(r.nPos, y.filter((v) => v === 1).length);
    assert.equal(r.nNeg, n - r.nPos);
    assert.deepEqual(r.steps, bruteForce(y, s), `set ${t}`);
  }
});

test('thresholdSweep names a NaN score instead of looping on it', () => {
  assert.throws(() => thresholdSweep([1, 0, 1], [0.3, Number.NaN, 0.2]), /score 1 is NaN/);
});
