import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stratifiedBootstrapCI } from '../../src/evaluate/bootstrap.js';
import { auroc } from '../../src/evaluate/metrics.js';
import { shiftPenalty } from '../../src/evaluate/shift.js';
import { Rng } from '../../src/util/random.js';

/** n subjects whose score separates the classes by `gap` standard deviations (binormal AUROC Φ(gap/√2)). */
function scored(n: number, gap: number, seed: string): { labels: number[]; scores: number[] } {
  const rng = new Rng(seed);
  const labels = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  return { labels, scores: labels.map((y) => rng.normal(y * gap, 1)) };
}

test('shift penalty: source minus target AUROC, each with the stratified CI the evaluation would give, and a CI around the difference', () => {
  const source = scored(300, 2, 'src');
  const target = scored(240, 0.6, 'tgt');
  const p = shiftPenalty(source, target, { resamples: 400, seed: 11 });
  assert.equal(p.sourceTest.auroc, auroc(source.labels, source.scores));
  assert.equal(p.targetTest.auroc, auroc(target.labels, target.scores));
  assert.equal(p.penalty.difference, p.sourceTest.auroc - p.targetTest.auroc);
  assert.deepEqual([p.sourceTest.n, p.sourceTest.nPositive, p.targetTest.n, p.targetTest.nPositive], [300, 100, 240, 80]);
  // Same seed and resamples as evaluateBinary: the target CI is the one metrics.json gives the method.
  const t = stratifiedBootstrapCI(target.labels, target.scores, auroc, { resamples: 400, level: 0.95, seed: 11 });
  assert.deepEqual(p.targetTest.ci, [t.lo, t.hi]);
  const [lo, hi] = p.penalty.ci;
  assert.ok(lo < p.penalty.difference && p.penalty.difference < hi, `${lo} < ${p.penalty.difference} < ${hi}`);
  // Binormal AUROCs 0.92 vs 0.66: a true penalty of ~0.26, far outside the interval's ±0.08 of sampling noise from 0.
  assert.ok(lo > 0.1, `penalty CI [${lo}, ${hi}]`);
  // Independent sets: the difference's interval is at least as wide as the wider of the two AUROC intervals, and no wider than their sum.
  const width = (c: readonly [number, number]) => c[1] - c[0];
  assert.ok(width(p.penalty.ci) >= Math.max(width(p.sourceTest.ci), width(p.targetTest.ci)) * 0.9);
  assert.ok(width(p.penalty.ci) <= width(p.sourceTest.ci) + width(p.targetTest.ci));
});

test('shift penalty: no shift (the same population on both sides) gives an interval around 0', () => {
  const p = shiftPenalty(scored(300, 1.2, 'a'), scored(300, 1.2, 'b'), { resamples: 400, seed: 3 });
  assert.ok(p.penalty.ci[0] < 0 && p.penalty.ci[1] > 0, `[${p.penalty.ci}]`);
});
