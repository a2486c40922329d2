import { latentLogit, siteCoefficients } from '../data/synthetic/index.js';
import { oracleCeiling, type OracleCeiling } from '../evaluate/oracle-aurocs.js';
import { shiftPenalty } from '../evaluate/shift.js';
import type { FoldShift, MethodPredictions } from '../record/types.js';
import type { CohortTruth } from './cohort-source.js';

/** What the fold's shift summary is computed from: its methods' scores on both test sets and, for synthetic data, the truth. */
export interface ShiftInputs {
  /** The fold's methods with their strategies, in run order. */
  readonly methods: readonly { readonly name: string; readonly strategy: string }[];
  /** Each method's scores on the fold's target test set. */
  readonly target: readonly MethodPredictions[];
  /** Each method's scores on the fold's source test set. */
  readonly source: readonly MethodPredictions[];
  readonly sources: readonly string[];
  readonly truth?: CohortTruth;
  readonly resamples: number;
  /** The fold's bootstrap seed, so the target AUROC's CI equals the method's own. */
  readonly seed: number;
}

/**
 * The fold's shift summary: the first `source_only` method's AUROC on the source test set against
 * the target test set, and, where the generator's truth is known, the oracle ceiling on the target
 * test set. Undefined when neither applies.
 */
export function foldShiftSummary(x: ShiftInputs): FoldShift | undefined {
  const opts = { resamples: x.resamples, seed: x.seed };
  const ref = x.methods.find((m) => m.strategy === 'source_only');
  const src = ref && x.source.find((p) => p.method === ref.name);
  const tgt = ref && x.target.find((p) => p.method === ref.name);
  const penalty = ref && src && tgt && src.labels.length > 0 ? { method: ref.name, ...shiftPenalty(src, tgt, opts) } : undefined;
  const test = x.target[0];
  const oracle = x.truth && test ? testSetOracle(test, x.truth, x.sources, opts) : undefined;
  if (!penalty && !oracle) return undefined;
  return { ...(penalty && { penalty }), ...(oracle && { oracle }) };
}

/** The oracle ceiling on one test set: each subject's true logit, and each source site's risk function applied to its latents. */
function testSetOracle(test: MethodPredictions, truth: CohortTruth, sources: readonly string[], opts: { resamples: number; seed: number }): OracleCeiling {
  const rows = test.keys.map((key, i) => {
    const t = truth.bySubject.get(key);
    // The cohort on disk is regenerated whenever its generator options change, so a mismatch means it was edited by hand.
    if (!t) throw new Error(`oracle ceiling: test subject '${key}' is not in the synthetic generator's truth for this cohort`);
    if (t.label !== test.labels[i]) throw new Error(`oracle ceiling: test subject '${key}' has label ${test.labels[i]} on disk but ${t.label} in the generator's truth; regenerate the cohort`);
    return t;
  });
  const specs = sources.map((id) => {
    const spec = truth.sites.find((s) => s.id === id);
    if (!spec) throw new Error(`oracle ceiling: source site '${id}' is not one of the generator's sites (${truth.sites.map((s) => s.id).join(', ')})`);
    return spec;
  });
  const own = rows.map((t) => t.parts.image + t.parts.record + t.parts.size);
  const sourceRisk = specs.map((spec) => {
    const c = siteCoefficients(spec);
    return { site: spec.id, scores: rows.map((t) => latentLogit(t.latents, c)) };
  });
  return oracleCeiling(test.labels, own, sourceRisk, opts);
}
