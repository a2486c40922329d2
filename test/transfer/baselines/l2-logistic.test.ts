import assert from 'node:assert/strict';
import { test } from 'node:test';
import { feasibleFolds, stratifiedFolds } from '../../../src/transfer/baselines/folds.js';
import { fitL2Logistic, tuneL2Logistic, type FeatureTable } from '../../../src/transfer/baselines/l2-logistic.js';
import { Rng } from '../../../src/util/random.js';

/** n rows of k N(0, sd_j) features with labels from logit = x·beta + b (beta all 0: pure noise). */
function synthetic(n: number, beta: readonly number[], b: number, seed: number, sds?: readonly number[]): { t: FeatureTable; y: Float64Array } {
  const rng = new Rng(seed);
  const k = beta.length;
  const x = new Float64Array(n * k);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let eta = b;
    for (let j = 0; j < k; j++) {
      x[i * k + j] = rng.normal(0, sds?.[j] ?? 1);
      eta += beta[j] * x[i * k + j];
    }
    y[i] = rng.bernoulli(1 / (1 + Math.exp(-eta))) ? 1 : 0;
  }
  return { t: { n, k, x }, y };
}

test('an almost unpenalised fit recovers known coefficients and intercept, on any column scale', () => {
  const beta = [1.5, -1, 0.5];
  // Column SDs 1, 10 and 0.1: the internal standardisation must map the coefficients back to each column's scale.
  const sds = [1, 10, 0.1];
  const scaled = beta.map((v, j) => v / sds[j]);
  const { t, y } = synthetic(4000, scaled, -0.3, 11, sds);
  const fit = fitL2Logistic(t, y, 1e-6);
  // With n = 4000 the ML standard errors (in units of the standardised column) are about 0.05; 0.15 is 3 SEs.
  fit.coef.forEach((c, j) => assert.ok(Math.abs(c * sds[j] - beta[j]) < 0.15, `coef ${j}: ${c * sds[j]} vs ${beta[j]}`));
  assert.ok(Math.abs(fit.intercept - -0.3) < 0.15, `intercept ${fit.intercept}`);
});

test('the intercept is not penalised: a huge penalty leaves the logit of the prevalence', () => {
  const { t, y } = synthetic(600, [1, 1], 1.5, 12);
  const fit = fitL2Logistic(t, y, 1e8);
  const prev = y.reduce((s, v) => s + v, 0) / y.length;
  fit.coef.forEach((c) => assert.ok(Math.abs(c) < 1e-4, `coef ${c}`));
  // Penalising the intercept too would pull it to 0 (prevalence 0.5); here the prevalence is about 0.75.
  assert.ok(Math.abs(fit.intercept - Math.log(prev / (1 - prev))) < 1e-3, `intercept ${fit.intercept} vs logit(${prev})`);
});

test('inner CV picks a larger penalty for pure noise than for a strong signal', () => {
  const k = 8;
  const noise = synthetic(200, new Array(k).fill(0), 0, 21);
  const signal = synthetic(200, [2, -2, 1.5, 0, 0, 0, 0, 0], 0, 22);
  const a = tuneL2Logistic(noise.t, noise.y, { k: 5, seed: 1 });
  const b = tuneL2Logistic(signal.t, signal.y, { k: 5, seed: 1 });
  assert.equal(a.folds, 5);
  assert.ok(a.lambda > b.lambda, `noise λ ${a.lambda} vs signal λ ${b.lambda}`);
  // Pure noise should be shrunk to (nearly) nothing: the largest penalties of the grid.
  assert.ok(a.lambda >= 10, `noise λ ${a.lambda}`);
  assert.match(a.note, /by 5-fold inner CV/);
});

test('small or one-class label sets fall back and say so', () => {
  const { t } = synthetic(6, [1], 0, 31);
  const one = tuneL2Logistic(t, Float64Array.of(1, 1, 1, 1, 1, 1), { k: 5, seed: 1 });
  assert.equal(one.folds, 0);
  assert.match(one.note, /one class only \(6 positives of 6\)/);
  assert.ok(one.intercept > 0 && one.coef.every((c) => c === 0));
  const few = tuneL2Logistic(t, Float64Array.of(1, 0, 0, 0, 0, 0), { k: 5, seed: 1 });
  assert.match(few.note, /too few rows for inner CV \(1 positives of 6\): fixed penalty/);
});

test('stratified folds spread each class evenly and repeat under a seed', () => {
  const y = Float64Array.from({ length: 23 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const f = stratifiedFolds(y, 4, 7);
  assert.deepEqual(f, stratifiedFolds(y, 4, 7));
  for (let fold = 0; fold < 4; fold++) {
    const pos = Array.from(f).filter((v, i) => v === fold && y[i] === 1).length;
    const neg = Array.from(f).filter((v, i) => v === fold && y[i] === 0).length;
    assert.ok(pos >= 2 && pos <= 2 + 1 && neg >= 3 && neg <= 4, `fold ${fold}: ${pos}+ ${neg}-`);
  }
  assert.equal(feasibleFolds(Float64Array.of(1, 0, 0, 1, 0), 5), 2);
});
