import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../../src/util/random.js';
import { emPrior, priorShiftLogit } from '../../../src/transfer/updating/label-shift.js';
import { bernoulliLogLik } from '../../../src/transfer/updating/logistic.js';
import { closedTest, interceptUpdate, logisticUpdate, revisionUpdate, sourceLogits, type HeadData } from '../../../src/transfer/updating/updates.js';

const P = 4;
const W_SRC = Float64Array.of(1.2, -0.8, 0.6, 0.4);
const B_SRC = -0.3;

/**
 * Penultimate features h ~ N(0, 1)^4 with the source head (W_SRC, B_SRC), and target labels drawn from
 * logit = h·w_true + b_true: the target's own truth, which may differ from the source head.
 */
function target(n: number, seed: number, wTrue: Float64Array, bTrue: number): HeadData {
  const rng = new Rng(seed);
  const h = new Float64Array(n * P);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let eta = bTrue;
    for (let j = 0; j < P; j++) {
      h[i * P + j] = rng.normal(0, 1);
      eta += h[i * P + j] * wTrue[j];
    }
    y[i] = rng.bernoulli(1 / (1 + Math.exp(-eta))) ? 1 : 0;
  }
  return { n, p: P, h, y, w: W_SRC, b: B_SRC };
}

const OPTS = { alpha: 0.05, lambda: 1 };

test('closed test: no shift keeps the source model', () => {
  const r = closedTest(target(400, 11, W_SRC, B_SRC), OPTS);
  assert.equal(r.chosen.kind, 'none', JSON.stringify(r.tests));
  assert.equal(r.tests.length, 1);
});

test('closed test: an intercept-only shift at the target chooses the intercept update', () => {
  const r = closedTest(target(400, 12, W_SRC, B_SRC + 1.5), OPTS);
  assert.equal(r.chosen.kind, 'intercept', JSON.stringify(r.tests));
  assert.notEqual(r.chosen.kind, 'revision');
  // The fitted shift recovers the true one; 0.35 is about 2 standard errors of an intercept on 400 rows.
  assert.ok(Math.abs(r.chosen.detail['a'] - 1.5) < 0.35, `a = ${r.chosen.detail['a']}`);
});

test('closed test: a coefficient shift (not a rescaling of the source logit) chooses revision', () => {
  // Two coefficients change sign: no a + s·z can express that, only a refitted head.
  const r = closedTest(target(400, 13, Float64Array.of(1.2, 0.8, -0.6, 0.4), B_SRC), OPTS);
  assert.equal(r.chosen.kind, 'revision', JSON.stringify(r.tests));
  assert.deepEqual(r.tests.map((t) => t.df), [5, 4, 3]);
});

test('intercept update equals the direct maximum-likelihood intercept (grid search on the log-likelihood)', () => {
  const d = target(60, 14, W_SRC, B_SRC + 0.7);
  const u = interceptUpdate(d);
  const z = sourceLogits(d);
  let best = { a: 0, ll: -Infinity };
  // A 1e-4 grid bounds the reference's error by 5e-5; the tolerance below allows twice that.
  for (let a = -3; a <= 3; a += 1e-4) {
    const ll = bernoulliLogLik(z.map((v) => v + a), d.y);
    if (ll > best.ll) best = { a, ll };
  }
  assert.ok(Math.abs(u.detail['a'] - best.a) < 1e-4, `${u.detail['a']} vs ${best.a}`);
  // The score equation of the ML intercept: observed events equal expected events.
  const expected = z.reduce((s, v) => s + 1 / (1 + Math.exp(-(v + u.detail['a']))), 0);
  assert.ok(Math.abs(expected - d.y.reduce((s, v) => s + v, 0)) < 1e-6);
  assert.equal(u.weights.b, d.b + u.detail['a']);
  assert.deepEqual(u.weights.w, d.w);
});

test('logistic update recovers a known calibration slope and intercept, and rewrites the head as a + s·z', () => {
  // Labels from logit = 0.5 + 0.6·z: the source model is over-confident (slope < 1) and off in the large.
  const base = target(3000, 15, W_SRC, B_SRC);
  const z = sourceLogits(base);
  const rng = new Rng(16);
  const y = z.map((v) => (rng.bernoulli(1 / (1 + Math.exp(-(0.5 + 0.6 * v)))) ? 1 : 0));
  const d = { ...base, y };
  const u = logisticUpdate(d);
  // 0.1 is about 2 standard errors of each estimate on 3000 rows.
  assert.ok(Math.abs(u.detail['a'] - 0.5) < 0.1, `a = ${u.detail['a']}`);
  assert.ok(Math.abs(u.detail['s'] - 0.6) < 0.1, `s = ${u.detail['s']}`);
  // The updated head gives exactly a + s·z on every row.
  const updated = sourceLogits({ ...d, ...u.weights });
  z.forEach((v, i) => assert.ok(Math.abs(updated[i] - (u.detail['a'] + u.detail['s'] * v)) < 1e-9));
});

test('revision with a huge penalty stays at the source head; with none it fits the target truth', () => {
  const wTrue = Float64Array.of(1.2, 0.8, -0.6, 0.4);
  const d = target(3000, 17, wTrue, B_SRC);
  const pinned = revisionUpdate(d, 1e9);
  pinned.weights.w.forEach((v, j) => assert.ok(Math.abs(v - W_SRC[j]) < 1e-4));
  const free = revisionUpdate(d, 0);
  // 0.15 is about 2.5 standard errors of each coefficient on 3000 rows.
  free.weights.w.forEach((v, j) => assert.ok(Math.abs(v - wTrue[j]) < 0.15, `w${j} = ${v}`));
});

test('EM recovers a known target prevalence within 0.03 from posteriors calibrated to the source prior', () => {
  // Source: prior 0.5, x | y ~ N(±1, 1), so the source posterior is σ(2x). Target: the same classes at prior 0.2.
  const rng = new Rng(18);
  const n = 4000;
  const posteriors = Float64Array.from({ length: n }, () => {
    const x = rng.bernoulli(0.2) ? rng.normal(1, 1) : rng.normal(-1, 1);
    return 1 / (1 + Math.exp(-2 * x));
  });
  const r = emPrior(posteriors, 0.5);
  assert.ok(r.converged);
  assert.ok(Math.abs(r.prior - 0.2) < 0.03, `prior ${r.prior}`);
  // Without the correction the mean posterior is far off (the bias EM removes).
  const naive = posteriors.reduce((s, v) => s + v, 0) / n;
  assert.ok(Math.abs(naive - 0.2) > 0.05, `naive ${naive}`);
  assert.ok(Math.abs(priorShiftLogit(0.5, 0.2) - Math.log(0.25)) < 1e-12);
});

test('EM refuses an empty target and a source prior outside (0, 1)', () => {
  assert.throws(() => emPrior([], 0.5), /at least one unlabelled target row/);
  assert.throws(() => emPrior([0.3], 1), /source prior must be in \(0, 1\), got 1/);
});
