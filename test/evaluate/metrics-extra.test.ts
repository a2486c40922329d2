import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averagePrecision } from '../../src/evaluate/auprc.js';
import { stratifiedBootstrapCI, stratifiedBootstrapMany } from '../../src/evaluate/bootstrap.js';
import { calibrationBin, expectedCalibrationError } from '../../src/evaluate/calibration.js';
import { balancedAccuracyOf, f1Of, mccOf } from '../../src/evaluate/confusion-metrics.js';
import { delongTest } from '../../src/evaluate/delong.js';
import { auroc, confusion } from '../../src/evaluate/metrics.js';
import { macroAuroc } from '../../src/evaluate/multiclass.js';
import { erfc, twoSidedNormalP } from '../../src/evaluate/normal.js';
import { rocCurve, sensitivityAtSpecificity, specificityAtSensitivity } from '../../src/evaluate/operating-point.js';

test('degenerate inputs give NaN where sklearn would return 0 with a warning', () => {
  const allNeg = confusion([0, 0, 0], [0.1, 0.2, 0.3], 0.5);
  assert.ok(Number.isNaN(balancedAccuracyOf(allNeg)));
  assert.ok(Number.isNaN(f1Of(allNeg)), 'no positives anywhere: F1 is 0/0');
  assert.ok(Number.isNaN(mccOf(allNeg)));
  assert.equal(f1Of(confusion([0, 0], [0.9, 0.1], 0.5)), 0, 'a false positive makes F1 defined and 0');
  assert.ok(Number.isNaN(averagePrecision([0, 0], [0.3, 0.4])));
  assert.deepEqual(rocCurve([1, 1], [0.3, 0.4]), []);
  assert.ok(Number.isNaN(sensitivityAtSpecificity([1, 1], [0.3, 0.4], 0.9)));
  assert.ok(Number.isNaN(macroAuroc([0, 0, 1], [[0.5, 0.3, 0.2], [0.6, 0.2, 0.2], [0.1, 0.8, 0.1]])), 'class 2 absent');
});

test('operating points use attainable thresholds only', () => {
  const y = [0, 0, 0, 0, 1, 1, 1, 1];
  const s = [0.1, 0.2, 0.3, 0.6, 0.5, 0.7, 0.8, 0.9];
  // Specificity >= 0.75 allows one false positive, so thresholds down to 0.5: every positive.
  assert.equal(sensitivityAtSpecificity(y, s, 0.75), 1);
  assert.equal(sensitivityAtSpecificity(y, s, 1), 0.75);
  // Sensitivity 1 needs threshold 0.5, which passes the 0.6 negative: specificity 3/4.
  assert.equal(specificityAtSensitivity(y, s, 1), 0.75);
  assert.equal(specificityAtSensitivity(y, s, 0.5), 1);
});

test('ECE bins are right-closed on the 0.1 grid, as sklearn calibration_curve', () => {
  assert.equal(calibrationBin(0, 10), 0);
  assert.equal(calibrationBin(0.1, 10), 0);
  assert.equal(calibrationBin(0.10000001, 10), 1);
  assert.equal(calibrationBin(0.3, 10), 2, '0.3 < 3 * 0.1 in floating point, so it stays in bin 2');
  assert.equal(calibrationBin(1, 10), 9);
  assert.equal(expectedCalibrationError([1, 0], [1, 0]), 0);
  assert.equal(expectedCalibrationError([0, 0], [0.25, 0.25]), 0.25);
});

test('erfc and the normal p-value match known values', () => {
  const cases: [number, number][] = [
    [0, 1],
    [0.5, 0.4795001221869535],
    [1, 0.15729920705028513],
    [2, 0.004677734981047266],
    [3, 2.209049699858544e-5],
    [5, 1.5374597944280349e-12],
  ];
  for (const [x, v] of cases) assert.ok(Math.abs(erfc(x) - v) <= 1e-14 * Math.max(1, v) + v * 1e-13, `erfc(${x}) = ${erfc(x)}, expected ${v}`);
  assert.ok(Math.abs(erfc(-1) - (2 - 0.15729920705028513)) < 1e-15);
  assert.ok(Math.abs(twoSidedNormalP(1.959963984540054) - 0.05) < 1e-12);
});

test('DeLong: identical scores give difference 0 and p 1; too few samples is an error', () => {
  const y = [0, 1, 0, 1, 1, 0];
  const s = [0.2, 0.7, 0.4, 0.5, 0.9, 0.6];
  const d = delongTest(y, s, s);
  assert.equal(d.difference, 0);
  assert.equal(d.z, 0);
  assert.equal(d.p, 1);
  assert.equal(d.aurocA, auroc(y, s));
  assert.throws(() => delongTest([0, 1, 0], [0.1, 0.2, 0.3], [0.3, 0.2, 0.1]), /at least 2 positives and 2 negatives/);
});

test('stratifiedBootstrapMany reproduces stratifiedBootstrapCI for AUROC and is seeded', () => {
  const y: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < 80; i++) {
    y.push(i % 4 === 0 ? 1 : 0);
    s.push(((i * 37) % 53) / 53 + (i % 4 === 0 ? 0.25 : 0));
  }
  const opts = { resamples: 200, level: 0.95, seed: 5 };
  const single = stratifiedBootstrapCI(y, s, auroc, opts);
  const stat = (idx: Int32Array) => {
    const ys = Array.from(idx, (i) => y[i]);
    const ss = Array.from(idx, (i) => s[i]);
    return [auroc(ys, ss), averagePrecision(ys, ss)];
  };
  const many = stratifiedBootstrapMany(y, stat, opts);
  assert.deepEqual(many[0], single);
  assert.deepEqual(stratifiedBootstrapMany(y, stat, opts), many);
  assert.notDeepEqual(stratifiedBootstrapMany(y, stat, { ...opts, seed: 6 }), many);
});
