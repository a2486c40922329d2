import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SYNTHETIC_SITES } from '../../src/data/synthetic/spec.js';
import { oracleScores } from '../../src/data/synthetic/oracle.js';
import { auroc } from '../../src/evaluate/metrics.js';
import { oracleAurocs, oracleCeiling } from '../../src/evaluate/oracle-aurocs.js';
import { Rng } from '../../src/util/random.js';

test('oracle AUROCs score the same draw as oracleScores, and the full logit beats each part', () => {
  const site = DEFAULT_SYNTHETIC_SITES[0];
  const o = oracleAurocs(site, 2000, 7);
  const s = oracleScores(site, 2000, 7);
  assert.equal(o.full, auroc(s.labels, s.scores.full));
  assert.equal(o.image, auroc(s.labels, s.scores.image));
  assert.equal(o.prevalence, s.labels.filter((y) => y === 1).length / 2000);
  // The full logit is what the labels were drawn from, so on 2000 subjects it leads each part by far more than sampling noise.
  for (const part of [o.image, o.record, o.size, o.imageWithSize, o.recordWithSize]) assert.ok(o.full > part + 0.03, `${o.full} vs ${part}`);
});

test('oracle ceiling: AUROC of the true risk with its CI, and each source risk function scored on the same subjects', () => {
  const rng = new Rng('ceiling');
  const own = Array.from({ length: 400 }, () => rng.normal(0, 2));
  const labels = own.map((z) => (rng.bernoulli(1 / (1 + Math.exp(-z))) ? 1 : 0));
  const other = own.map((z) => z + rng.normal(0, 3));
  const c = oracleCeiling(labels, own, [{ site: 'a', scores: other }], { resamples: 200, seed: 5 });
  assert.equal(c.auroc, auroc(labels, own));
  assert.deepEqual(c.sourceRisk, [{ site: 'a', auroc: auroc(labels, other) }]);
  assert.ok(c.ci[0] <= c.auroc && c.auroc <= c.ci[1]);
  assert.equal(c.n, 400);
  assert.throws(() => oracleCeiling(labels, own.slice(1), [], { resamples: 10, seed: 1 }), /399 true-risk scores \(own\) for 400 labels/);
});
