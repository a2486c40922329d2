import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SYNTHETIC_SITES, LOGIT_COEFFICIENTS, latentLogit, simulateSyntheticTruth } from '../../src/data/synthetic/index.js';
import { auroc } from '../../src/evaluate/metrics.js';
import type { MethodPredictions } from '../../src/record/types.js';
import { foldShiftSummary } from '../../src/pipeline/shift-summary.js';

const sites = DEFAULT_SYNTHETIC_SITES.map((s) => ({ ...s, n: s.id === 'hosp_d' ? 300 : 60 }));
const truth = simulateSyntheticTruth({ seed: 8, sites });
const truthMap = { bySubject: new Map(truth.map((t) => [`${t.siteId}/${t.subjectId}`, t])), sites };
const at = (site: string) => truth.filter((t) => t.siteId === site);

/** Predictions of one method on a set of subjects, scored by some function of their truth. */
function preds(method: string, subjects: typeof truth, score: (t: (typeof truth)[number]) => number): MethodPredictions {
  return {
    fold: 'holdout',
    method,
    keys: subjects.map((t) => `${t.siteId}/${t.subjectId}`),
    labels: Float32Array.from(subjects.map((t) => t.label)),
    scores: Float32Array.from(subjects.map(score)),
  };
}

const methods = [
  { name: 'transfer', strategy: 'freeze_unfreeze' },
  { name: 'source_only', strategy: 'source_only' },
];
const sourceTest = [...at('hosp_a'), ...at('hosp_b')];
const targetTest = at('hosp_d');
const shared = (t: (typeof truth)[number]) => latentLogit(t.latents, LOGIT_COEFFICIENTS);

test('fold shift summary: source_only penalty from its own scores, oracle ceiling from the truth of the target test subjects', () => {
  const s = foldShiftSummary({
    methods,
    target: [preds('transfer', targetTest, () => 0), preds('source_only', targetTest, shared)],
    source: [preds('transfer', sourceTest, () => 0), preds('source_only', sourceTest, shared)],
    sources: ['hosp_a', 'hosp_b'],
    truth: truthMap,
    resamples: 100,
    seed: 1,
  });
  assert.ok(s?.penalty && s.oracle);
  assert.equal(s.penalty.method, 'source_only');
  const y = (subjects: typeof truth) => subjects.map((t) => t.label);
  assert.equal(s.penalty.sourceTest.auroc, auroc(y(sourceTest), Float32Array.from(sourceTest.map(shared))));
  assert.equal(s.penalty.targetTest.auroc, auroc(y(targetTest), Float32Array.from(targetTest.map(shared))));
  assert.equal(s.oracle.auroc, auroc(y(targetTest), targetTest.map((t) => t.parts.image + t.parts.record + t.parts.size)));
  assert.deepEqual(s.oracle.sourceRisk.map((r) => r.site), ['hosp_a', 'hosp_b']);
  // The sources' true risk function is the shared one; on hosp_d's subjects it ranks worse than hosp_d's own (its concept shift).
  for (const r of s.oracle.sourceRisk) {
    assert.equal(r.auroc, auroc(y(targetTest), targetTest.map(shared)));
    assert.ok(r.auroc < s.oracle.auroc - 0.05, `${r.site}: ${r.auroc} vs ${s.oracle.auroc}`);
  }
});

test('fold shift summary: no source_only and no truth gives nothing; a label that disagrees with the truth is an error', () => {
  const target = [preds('transfer', targetTest, shared)];
  assert.equal(foldShiftSummary({ methods: methods.slice(0, 1), target, source: [], sources: ['hosp_a'], resamples: 10, seed: 1 }), undefined);
  const only = foldShiftSummary({ methods: methods.slice(0, 1), target, source: [], sources: ['hosp_a'], truth: truthMap, resamples: 10, seed: 1 });
  assert.ok(only?.oracle && only.penalty === undefined);
  const bad = preds('transfer', targetTest, shared);
  const labels = Float32Array.from(bad.labels);
  labels[0] = 1 - labels[0];
  assert.throws(
    () => foldShiftSummary({ methods: methods.slice(0, 1), target: [{ ...bad, labels }], source: [], sources: ['hosp_a'], truth: truthMap, resamples: 10, seed: 1 }),
    new RegExp(`test subject '${bad.keys[0]}' has label ${labels[0]} on disk but ${1 - labels[0]} in the generator's truth`),
  );
});
