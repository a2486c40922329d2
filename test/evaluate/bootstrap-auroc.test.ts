import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stratifiedBootstrapCI } from '../../src/evaluate/bootstrap.js';
import { auroc } from '../../src/evaluate/metrics.js';
import { Rng } from '../../src/util/random.js';

// stratifiedBootstrapCI computes AUROC resamples from draw counts over presorted scores; a wrapper
// that is not `auroc` itself takes the generic path (copy and sort every resample). Both must give
// the same interval bit for bit.
const generic = (y: Float64Array, s: Float64Array) => auroc(y, s);

test('bootstrap AUROC CI: the counting path equals the generic path, ties, signed zeros and infinities included', () => {
  const rng = new Rng('boot-auroc');
  const cases: { labels: number[]; scores: number[] }[] = [];
  for (const n of [7, 60, 333]) {
    const labels = Array.from({ length: n }, (_, i) => (i % 3 === 0 || rng.bernoulli(0.3) ? 1 : 0));
    // Coarse scores make many ties; a few exact duplicates across classes.
    cases.push({ labels, scores: labels.map((y) => Math.round((rng.normal() + y) * 4) / 4) });
    cases.push({ labels, scores: labels.map((y) => rng.normal() + 0.7 * y) });
  }
  cases.push({ labels: [1, 0, 1, 0, 1, 0], scores: [0, -0, -Infinity, Infinity, 0.5, 0.5] });
  for (const [i, c] of cases.entries()) {
    for (const seed of [1, 2]) {
      const opts = { resamples: 400, level: 0.95, seed };
      const fast = stratifiedBootstrapCI(c.labels, c.scores, auroc, opts);
      const slow = stratifiedBootstrapCI(c.labels, c.scores, generic, opts);
      assert.deepEqual(fast, slow, `case ${i}, seed ${seed}`);
    }
  }
});

test('bootstrap AUROC CI: NaN scores and a single class still take the generic path', () => {
  const opts = { resamples: 50, level: 0.9, seed: 3 };
  const withNaN = { labels: [1, 0, 1, 0, 1, 0, 0], scores: [0.9, Number.NaN, 0.2, 0.1, 0.8, 0.3, 0.4] };
  assert.deepEqual(stratifiedBootstrapCI(withNaN.labels, withNaN.scores, auroc, opts), stratifiedBootstrapCI(withNaN.labels, withNaN.scores, generic, opts));
  assert.deepEqual(stratifiedBootstrapCI([1, 1, 1], [0.1, 0.2, 0.3], auroc, opts), { lo: Number.NaN, hi: Number.NaN, validResamples: 0 });
});
