import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawOracleSample } from '../../../src/data/synthetic/oracle.js';
import { DEFAULT_SYNTHETIC_SITES } from '../../../src/data/synthetic/spec.js';
import { Rng } from '../../../src/util/random.js';

/**
 * Exact AUROC as the Mann-Whitney U statistic: P(score of a positive > score of a negative), ties
 * counting one half, computed from midranks (kept here, independent of the code under test).
 */
function mannWhitneyAuroc(scores: readonly number[], labels: readonly number[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0;
  let nPos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k]] === 1) {
        rankSum += (i + j) / 2 + 1;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = labels.length - nPos;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** The definition itself, over all pairs; used to check the rank version on small inputs. */
function pairwiseAuroc(scores: readonly number[], labels: readonly number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

test('the rank AUROC equals the pairwise Mann-Whitney count, ties included', () => {
  const rng = new Rng(5);
  const scores = Array.from({ length: 300 }, () => Math.round(rng.normal(0, 2)));
  const labels = scores.map((s) => (rng.bernoulli(1 / (1 + Math.exp(-s))) ? 1 : 0));
  assert.ok(Math.abs(mannWhitneyAuroc(scores, labels) - pairwiseAuroc(scores, labels)) < 1e-12);
});

// 20,000 subjects per site: the AUROC's standard error is about 0.004, so the bands below are
// several standard errors wide and the test is not at the mercy of the draw.
// Sites with a concept shift (coefficient overrides) have other bands; shift.test.ts checks them.
for (const site of DEFAULT_SYNTHETIC_SITES.filter((s) => s.coefficients === undefined)) {
  test(`${site.id}: image-only and record-only oracle logits are each informative, the full logit clearly better`, () => {
    const { parts, labels } = drawOracleSample(site, 20000, 'signal-test');
    const auroc = (score: (p: (typeof parts)[number]) => number) => mannWhitneyAuroc(parts.map(score), labels);
    const image = auroc((p) => p.image);
    const record = auroc((p) => p.record);
    const full = auroc((p) => p.image + p.record + p.size);
    const msg = `${site.id}: image ${image.toFixed(3)}, record ${record.toFixed(3)}, full ${full.toFixed(3)}`;
    assert.ok(image >= 0.72 && image <= 0.8, msg);
    assert.ok(record >= 0.72 && record <= 0.8, msg);
    assert.ok(full >= 0.88 && full <= 0.92, msg);
    assert.ok(full - Math.max(image, record) >= 0.08, `fusion must clearly beat either modality alone: ${msg}`);
  });
}

for (const site of DEFAULT_SYNTHETIC_SITES.filter((s) => s.coefficients !== undefined)) {
  test(`${site.id} (concept shift): the full logit is still near 0.9 and clearly beats each modality alone`, () => {
    const { parts, labels } = drawOracleSample(site, 20000, 'signal-test');
    const auroc = (score: (p: (typeof parts)[number]) => number) => mannWhitneyAuroc(parts.map(score), labels);
    const image = auroc((p) => p.image);
    const record = auroc((p) => p.record);
    const full = auroc((p) => p.image + p.record + p.size);
    const msg = `${site.id}: image ${image.toFixed(3)}, record ${record.toFixed(3)}, full ${full.toFixed(3)}`;
    assert.ok(full >= 0.88 && full <= 0.95, msg);
    assert.ok(full - Math.max(image, record) >= 0.02, msg);
  });
}
