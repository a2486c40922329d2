import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stratifiedBootstrapCI, quantile } from '../../src/evaluate/bootstrap.js';
import { evaluateBinary } from '../../src/evaluate/evaluation.js';
import { accuracyOf, auroc, confusion, sensitivityOf, specificityOf } from '../../src/evaluate/metrics.js';

// Brute-force AUROC: fraction of (pos, neg) pairs ordered correctly, ties count one half.
function pairwiseAuroc(y: number[], s: number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < y.length; i++)
    for (let j = 0; j < y.length; j++)
      if (y[i] === 1 && y[j] === 0) {
        den++;
        num += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
  return num / den;
}

test('auroc equals the pairwise definition, ties included', () => {
  const y = [0, 0, 1, 1, 0, 1, 0, 1, 1, 0];
  const s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9, 0.35, 0.7];
  assert.ok(Math.abs(auroc(y, s) - pairwiseAuroc(y, s)) < 1e-12);
  assert.equal(auroc([0, 1], [0.2, 0.9]), 1);
  assert.equal(auroc([0, 1], [0.9, 0.2]), 0);
  assert.equal(auroc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5);
  assert.ok(Number.isNaN(auroc([1, 1], [0.2, 0.3])));
});

test('auroc matches the pairwise definition exactly on many seeded sets with heavy ties', () => {
  // Scores on a coarse grid force many ties; the U statistic is a sum of halves, exact in doubles.
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let t = 0; t < 200; t++) {
    const n = 2 + Math.floor(next() * 60);
    const y = Array.from({ length: n }, () => (next() < 0.4 ? 1 : 0));
    const s = Array.from({ length: n }, () => Math.round(next() * 8) / 8);
    const expected = y.includes(1) && y.includes(0) ? pairwiseAuroc(y, s) : Number.NaN;
    assert.ok(Object.is(auroc(y, s), expected) || auroc(y, s) === expected, `set ${t}: ${auroc(y, s)} vs ${expected}`);
  }
});

test('confusion-derived metrics at a threshold', () => {
  const c = confusion([1, 1, 0, 0, 1], [0.9, 0.4, 0.6, 0.1, 0.5], 0.5);
  assert.deepEqual(c, { tp: 2, fn: 1, fp: 1, tn: 1 });
  assert.equal(accuracyOf(c), 3 / 5);
  assert.equal(sensitivityOf(c), 2 / 3);
  assert.equal(specificityOf(c), 1 / 2);
});

test('quantile matches numpy linear interpolation', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([1, 2, 3, 4], 0.025), 1.075);
});

test('stratified bootstrap CI is seeded, brackets the estimate, and narrows with more data', () => {
  const make = (n: number) => {
    const y: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < n; i++) {
      y.push(i % 3 === 0 ? 1 : 0);
      s.push(((i * 7919) % 101) / 101 + (i % 3 === 0 ? 0.3 : 0));
    }
    return { y, s };
  };
  const small = make(60);
  const a = stratifiedBootstrapCI(small.y, small.s, auroc, { resamples: 300, level: 0.95, seed: 7 });
  const b = stratifiedBootstrapCI(small.y, small.s, auroc, { resamples: 300, level: 0.95, seed: 7 });
  const c = stratifiedBootstrapCI(small.y, small.s, auroc, { resamples: 300, level: 0.95, seed: 8 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const est = auroc(small.y, small.s);
  assert.ok(a.lo < est && est < a.hi, `${a.lo} < ${est} < ${a.hi}`);
  assert.equal(a.validResamples, 300);
  const big = make(600);
  const d = stratifiedBootstrapCI(big.y, big.s, auroc, { resamples: 300, level: 0.95, seed: 7 });
  assert.ok(d.hi - d.lo < a.hi - a.lo);
});

test('evaluateBinary bundles the metrics', () => {
  const e = evaluateBinary([0, 1, 0, 1], [0.2, 0.8, 0.75, 0.7], { threshold: 0.5, bootstrapResamples: 50, seed: 1 });
  assert.equal(e.auroc, 0.75);
  assert.equal(e.nTest, 4);
  assert.equal(e.nPositive, 2);
  assert.equal(e.sensitivity, 1);
  assert.equal(e.specificity, 0.5);
});
