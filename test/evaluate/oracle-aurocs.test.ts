import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SYNTHETIC_SITES } from '../../src/data/synthetic/spec.js';
import { oracleScores } from '../../src/data/synthetic/oracle.js';
import { auroc } from '../../src/evaluate/metrics.js';
import { oracleAurocs } from '../../src/evaluate/oracle-aurocs.js';

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
