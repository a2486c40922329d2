import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifierDensityRatio } from '../../src/transfer/reweight/classifier-ratio.js';
import type { Rows } from '../../src/transfer/reweight/kernels.js';
import { kernelMeanMatching, projectBoxSlab } from '../../src/transfer/reweight/kmm.js';
import { kliep } from '../../src/transfer/reweight/kliep.js';
import { clipAndNormalise } from '../../src/transfer/reweight/normalise.js';
import { Rng } from '../../src/util/random.js';

/** n rows in 2-D drawn from N(centre, sd²). */
function gaussianRows(n: number, centre: number, sd: number, seed: number): Rows {
  const rng = new Rng(seed);
  return { dim: 2, n, data: Float64Array.from({ length: n * 2 }, () => rng.normal(centre, sd)) };
}

// Source is broad around 0; target is a tight cloud at (1, 1), so the source rows near (1, 1)
// are the ones resembling the target and the true density ratio falls off with distance from there.
const source = gaussianRows(300, 0, 1.2, 1);
const target = gaussianRows(150, 1, 0.5, 2);
const near: number[] = [];
const far: number[] = [];
for (let i = 0; i < source.n; i++) {
  const d = Math.hypot(source.data[2 * i] - 1, source.data[2 * i + 1] - 1);
  if (d < 1) near.push(i);
  else if (d > 2.5) far.push(i);
}
const mean = (w: ArrayLike<number>, idx: number[]) => idx.reduce((s, i) => s + w[i], 0) / idx.length;

for (const [name, weigh] of [
  ['domain-classifier density ratio', () => classifierDensityRatio(source, target, { l2: 1e-2 })],
  ['KMM', () => kernelMeanMatching(source, target, { bound: 10, epsilon: 0.1, iterations: 300 })],
  ['KLIEP', () => kliep(source, target, { centres: 100, iterations: 300 })],
] as const) {
  test(`${name} raises the weight of source rows that resemble the target`, (t) => {
    const w = clipAndNormalise(weigh(), 10);
    const m = w.reduce((a, b) => a + b, 0) / w.length;
    t.diagnostic(`near ${mean(w, near).toFixed(3)} (n=${near.length}), far ${mean(w, far).toFixed(3)} (n=${far.length})`);
    assert.ok(near.length >= 20 && far.length >= 20, 'the construction must give both groups enough rows');
    // Normalised to mean 1 (float32 rounding only).
    assert.ok(Math.abs(m - 1) < 1e-4, `mean weight ${m}`);
    // The true ratio is >10x larger near the target than far from it; a 3x gap is a loose, robust bar that
    // uniform weights (ratio 1) or a sign error (ratio < 1) fail.
    assert.ok(mean(w, near) > 3 * mean(w, far), `near ${mean(w, near)} vs far ${mean(w, far)}`);
    assert.ok(mean(w, near) > 1, 'near-target rows are up-weighted above the average');
  });
}

test('the KMM projection meets the box and the sum bounds', () => {
  const v = Float64Array.from([5, -1, 0.5, 2, 12]);
  const p = projectBoxSlab(v, 4, 4, 5);
  const s = p.reduce((a, b) => a + b, 0);
  assert.ok(p.every((x) => x >= 0 && x <= 4));
  // Bisection to 100 halvings leaves the sum within float rounding of the violated bound.
  assert.ok(Math.abs(s - 5) < 1e-9, `sum ${s}`);
});

test('clipping caps outliers before normalising to mean 1', () => {
  const w = clipAndNormalise([1, 1, 1, 1000], 3);
  assert.ok(Math.abs(w.reduce((a, b) => a + b, 0) / 4 - 1) < 1e-6);
  // Relative to the mean 250.75 the outlier is 3.99, capped at 3, while the others stay at 1/250.75.
  assert.ok(Math.abs(w[3] / w[0] - 3 * 250.75) < 1e-2, `ratio ${w[3] / w[0]}`);
});
