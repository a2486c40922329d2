import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectedCalibrationError } from '../../src/evaluate/calibration.js';
import { logLoss } from '../../src/evaluate/metrics.js';
import {
  applyTemperature,
  fitTemperature,
  probabilitiesToLogits,
  reliabilityBins,
  temperatureNll,
  temperatureScale,
} from '../../src/evaluate/temperature-scaling.js';
import { Rng } from '../../src/util/random.js';

// n rows whose true log-odds are N(0, 1.5^2); labels drawn from them; reported logits = sharpen * true.
function cohort(n: number, seed: number, sharpen: number) {
  const rng = new Rng(seed);
  const y = new Float64Array(n);
  const logits = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = rng.normal(0, 1.5);
    y[i] = rng.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    logits[i] = sharpen * z;
  }
  return { y, logits };
}

test('fitTemperature: over-confident scores get T > 1, and held-out ECE and NLL drop', () => {
  const val = cohort(2000, 1, 3);
  const held = cohort(2000, 2, 3);
  const fit = fitTemperature(val.y, val.logits);
  assert.ok(fit.temperature > 2 && fit.temperature < 4, `T = ${fit.temperature}`);
  assert.ok(fit.nllAfter < fit.nllBefore);
  const before = applyTemperature(held.logits, 1);
  const after = applyTemperature(held.logits, fit.temperature);
  assert.ok(expectedCalibrationError(held.y, after) < expectedCalibrationError(held.y, before) / 2);
  assert.ok(logLoss(held.y, after) < logLoss(held.y, before));
  // Deterministic: the same data give the same T exactly.
  assert.equal(fitTemperature(val.y, val.logits).temperature, fit.temperature);
});

test('fitTemperature: calibrated scores give T close to 1', () => {
  // With 5000 rows the sampling sd of the fitted 1/T is about 1/sqrt(sum p(1-p) z^2) ~ 0.03, so
  // |T - 1| < 0.1 is over 3 sd; the seed is fixed, so the test cannot flake.
  const val = cohort(5000, 3, 1);
  const fit = fitTemperature(val.y, val.logits);
  assert.ok(Math.abs(fit.temperature - 1) < 0.1, `T = ${fit.temperature}`);
});

test('fitTemperature: the minimum is a stationary point of the NLL', () => {
  const val = cohort(500, 4, 2);
  const { temperature: t } = fitTemperature(val.y, val.logits);
  const f0 = temperatureNll(val.y, val.logits, t);
  assert.ok(f0 <= temperatureNll(val.y, val.logits, t * 1.01));
  assert.ok(f0 <= temperatureNll(val.y, val.logits, t / 1.01));
});

test('probabilitiesToLogits clips, applyTemperature inverts at T = 1', () => {
  const z = probabilitiesToLogits([0, 0.5, 0.8, 1]);
  assert.ok(Number.isFinite(z[0]) && Number.isFinite(z[3]));
  assert.equal(z[1], 0);
  assert.ok(Math.abs(applyTemperature(z, 1)[2] - 0.8) < 1e-12);
  assert.throws(() => applyTemperature(z, 0), /must be > 0/);
  assert.throws(() => fitTemperature([], []), /no validation rows/);
});

test('reliabilityBins: 10 bins, counts and means, consistent with ECE', () => {
  const y = [0, 1, 1, 0, 1];
  const p = [0, 0.1, 0.15, 0.55, 0.95];
  const bins = reliabilityBins(y, p);
  assert.equal(bins.length, 10);
  assert.deepEqual(
    bins.map((b) => b.count),
    [2, 1, 0, 0, 0, 1, 0, 0, 0, 1],
  );
  assert.equal(bins[0].observedFrequency, 0.5);
  assert.ok(Math.abs(bins[0].meanConfidence - 0.05) < 1e-15);
  assert.ok(Number.isNaN(bins[2].meanConfidence));
  const ece = bins.reduce((s, b) => (b.count ? s + (b.count / 5) * Math.abs(b.observedFrequency - b.meanConfidence) : s), 0);
  assert.ok(Math.abs(ece - expectedCalibrationError(y, p)) < 1e-15);
});

test('temperatureScale: T from validation only; reliability before and after on test', () => {
  const val = cohort(1000, 5, 3);
  const held = cohort(1000, 6, 3);
  const valP = applyTemperature(val.logits, 1);
  const heldP = applyTemperature(held.logits, 1);
  const r = temperatureScale(val.y, valP, held.y, heldP);
  const other = temperatureScale(val.y, valP, held.y.map((v) => 1 - v), heldP.map((v) => 1 - v));
  assert.equal(r.temperature, other.temperature, 'test data do not move T');
  assert.ok(r.temperature > 1);
  assert.equal(r.reliabilityBefore.length, 10);
  assert.equal(r.reliabilityAfter.reduce((s, b) => s + b.count, 0), 1000);
  assert.ok(expectedCalibrationError(held.y, r.calibrated) < expectedCalibrationError(held.y, heldP));
});
