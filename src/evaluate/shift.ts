// How much a model loses between the sites it was trained on and the target site.
import { deriveSeed } from '../util/random.js';
import { stratifiedBootstrapCI, stratifiedBootstrapMany } from './bootstrap.js';
import { auroc } from './metrics.js';

/** A model's AUROC on one test set, with its stratified bootstrap CI. */
export interface AurocOnSet {
  readonly auroc: number;
  readonly ci: readonly [number, number];
  readonly n: number;
  readonly nPositive: number;
}

/** One model's AUROC on the source sites' test set and on the target's: the cost of the site shift. */
export interface ShiftPenalty {
  readonly sourceTest: AurocOnSet;
  readonly targetTest: AurocOnSet;
  /** sourceTest − targetTest AUROC, with a percentile CI from independent stratified resamples of the two sets (different subjects, so unpaired). */
  readonly penalty: { readonly difference: number; readonly ci: readonly [number, number] };
}

/** Labels and one model's scores on one test set. */
export interface ScoredSet {
  readonly labels: ArrayLike<number>;
  readonly scores: ArrayLike<number>;
}

/** Bootstrap settings of the shift penalty. */
export interface ShiftPenaltyOptions {
  readonly resamples: number;
  /** Seed of each set's AUROC CI (the fold's bootstrap seed, so the target CI equals the method's metrics.json CI); the difference's resamples derive their own. */
  readonly seed: number;
  readonly level?: number;
}

function onSet(set: ScoredSet, opts: ShiftPenaltyOptions): AurocOnSet {
  const ci = stratifiedBootstrapCI(set.labels, set.scores, auroc, { resamples: opts.resamples, level: opts.level ?? 0.95, seed: opts.seed });
  let nPositive = 0;
  for (let i = 0; i < set.labels.length; i++) nPositive += set.labels[i] === 1 ? 1 : 0;
  return { auroc: auroc(set.labels, set.scores), ci: [ci.lo, ci.hi], n: set.labels.length, nPositive };
}

/**
 * A model's shift penalty: its AUROC on the source test set minus its AUROC on the target test set.
 * Each AUROC gets its stratified bootstrap CI; the difference's CI resamples both sets in one draw
 * per resample, each within its own positives and negatives.
 */
export function shiftPenalty(source: ScoredSet, target: ScoredSet, opts: ShiftPenaltyOptions): ShiftPenalty {
  const ns = source.labels.length;
  const n = ns + target.labels.length;
  const labels = new Float64Array(n);
  const scores = new Float64Array(n);
  // Strata 0-1: target negatives/positives, 2-3: source; a resample keeps every stratum's size.
  const strata = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const fromSource = i < ns;
    labels[i] = fromSource ? source.labels[i] : target.labels[i - ns];
    scores[i] = fromSource ? source.scores[i] : target.scores[i - ns];
    strata[i] = labels[i] + (fromSource ? 2 : 0);
  }
  const ys = new Float64Array(ns);
  const ss = new Float64Array(ns);
  const yt = new Float64Array(n - ns);
  const st = new Float64Array(n - ns);
  const [ci] = stratifiedBootstrapMany(
    strata,
    (idx) => {
      let a = 0;
      let b = 0;
      for (const i of idx) {
        if (strata[i] >= 2) {
          ys[a] = labels[i];
          ss[a++] = scores[i];
        } else {
          yt[b] = labels[i];
          st[b++] = scores[i];
        }
      }
      return [auroc(ys, ss) - auroc(yt, st)];
    },
    { resamples: opts.resamples, level: opts.level ?? 0.95, seed: deriveSeed(opts.seed, 'shift-penalty') },
  );
  const s = onSet(source, opts);
  const t = onSet(target, opts);
  return { sourceTest: s, targetTest: t, penalty: { difference: s.auroc - t.auroc, ci: [ci.lo, ci.hi] } };
}
