import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stratifiedBootstrapCI } from '../../src/evaluate/bootstrap.js';
import { auroc } from '../../src/evaluate/metrics.js';
import { pairedAurocDifference, pairedTInterval } from '../../src/evaluate/paired.js';
import { Rng } from '../../src/util/random.js';

function scored(n: number, seed: number): { y: number[]; a: number[]; b: number[] } {
  const rng = new Rng(seed);
  const y = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  // b is a with a little noise: two models that rank the same subjects almost the same way.
  const a = y.map((v) => rng.normal(v ? 0.8 : 0, 1));
  const b = a.map((v) => v + rng.normal(0, 0.05));
  return { y, a, b };
}

test('pairedAurocDifference: the difference of the two AUROCs, with a CI from resamples shared by both models', () => {
  const { y, a, b } = scored(150, 1);
  const d = pairedAurocDifference(y, a, b, { resamples: 400, seed: 9 });
  assert.equal(d.difference, auroc(y, a) - auroc(y, b));
  assert.equal(d.n, 150);
  assert.ok(d.ci[0] <= d.difference && d.difference <= d.ci[1]);
  // Pairing is the mechanism: each AUROC alone has a CI about 0.15 wide here, but the two models
  // move together on every resample, so the interval of their difference is far narrower. Drawing
  // the two models' resamples independently would give a CI about as wide as the AUROCs' own.
  const alone = stratifiedBootstrapCI(y, a, auroc, { resamples: 400, level: 0.95, seed: 9 });
  assert.ok(alone.hi - alone.lo > 0.1, `one AUROC's CI is ${alone.hi - alone.lo} wide`);
  assert.ok(d.ci[1] - d.ci[0] < 0.03, `paired CI ${d.ci} is narrow`);
  assert.ok(d.p > 0 && d.p <= 1, 'DeLong p is a probability');
});

test('pairedAurocDifference: the same seed repeats the CI; mismatched score arrays are refused', () => {
  const { y, a, b } = scored(90, 2);
  assert.deepEqual(pairedAurocDifference(y, a, b, { resamples: 100, seed: 4 }), pairedAurocDifference(y, a, b, { resamples: 100, seed: 4 }));
  assert.throws(() => pairedAurocDifference(y, a.slice(1), b, { resamples: 10, seed: 1 }), /same 90 subjects, got 89 and 90 scores/);
  // Identical models: a difference of 0 with a zero-width interval and DeLong's p of 1.
  const same = pairedAurocDifference(y, a, a, { resamples: 50, seed: 1 });
  assert.deepEqual([same.difference, same.ci[0], same.ci[1], same.p], [0, 0, 0, 1]);
});

test('pairedTInterval: mean ± t(0.975, n−1)·sd/√n, against a hand computation', () => {
  // [0.1, 0.2, 0.3]: mean 0.2, sd 0.1, t(0.975, 2) = 4.302652729911275 (scipy.stats.t.ppf), half-width 0.248414...
  const r = pairedTInterval([0.1, 0.2, 0.3]);
  const half = (4.302652729911275 * 0.1) / Math.sqrt(3);
  assert.ok(Math.abs(r.mean - 0.2) < 1e-15);
  assert.ok(Math.abs(r.sd - 0.1) < 1e-15);
  // 1e-9: the t quantile comes from @stdlib's incomplete-beta inversion, good to about 1e-12 here.
  assert.ok(Math.abs(r.ci[0] - (0.2 - half)) < 1e-9 && Math.abs(r.ci[1] - (0.2 + half)) < 1e-9, `${r.ci}`);
  const one = pairedTInterval([0.05]);
  assert.equal(one.mean, 0.05);
  assert.ok(Number.isNaN(one.ci[0]) && Number.isNaN(one.ci[1]), 'one difference has no interval');
  assert.throws(() => pairedTInterval([0.1, Number.NaN]), /difference 2 of 2 is NaN/);
  assert.throws(() => pairedTInterval([]), /at least one difference/);
});
