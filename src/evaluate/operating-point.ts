import { thresholdSweep } from './threshold-sweep.js';

/** One point of the ROC curve: predicting positive when score >= threshold. */
export interface RocPoint {
  readonly threshold: number;
  readonly tpr: number;
  readonly fpr: number;
}

/**
 * Every ROC point, one per distinct score (descending) after a first point at threshold +Infinity
 * (nothing positive); like sklearn's `roc_curve(drop_intermediate=False)`. Empty when a class is missing.
 */
export function rocCurve(labels: ArrayLike<number>, scores: ArrayLike<number>): RocPoint[] {
  const { nPos, nNeg, steps } = thresholdSweep(labels, scores);
  if (nPos === 0 || nNeg === 0) return [];
  return [{ threshold: Number.POSITIVE_INFINITY, tpr: 0, fpr: 0 }, ...steps.map((st) => ({ threshold: st.threshold, tpr: st.tp / nPos, fpr: st.fp / nNeg }))];
}

// A target like 0.9 is not exact in binary, and 1 - fp/n may land one ulp below it.
const SLACK = 1e-12;

/**
 * Highest sensitivity among ROC points whose specificity (1 - FPR) is at least `minSpecificity`
 * (less 1e-12 for rounding); NaN when a class is missing. Only attainable thresholds are used, no
 * interpolation between points.
 */
export function sensitivityAtSpecificity(labels: ArrayLike<number>, scores: ArrayLike<number>, minSpecificity: number): number {
  const pts = rocCurve(labels, scores);
  if (pts.length === 0) return Number.NaN;
  let best = Number.NaN;
  for (const p of pts) if (1 - p.fpr >= minSpecificity - SLACK && !(p.tpr <= best)) best = p.tpr;
  return best;
}

/**
 * Highest specificity (1 - FPR) among ROC points whose sensitivity is at least `minSensitivity`
 * (less 1e-12 for rounding); NaN when a class is missing. No interpolation between points.
 */
export function specificityAtSensitivity(labels: ArrayLike<number>, scores: ArrayLike<number>, minSensitivity: number): number {
  const pts = rocCurve(labels, scores);
  if (pts.length === 0) return Number.NaN;
  let best = Number.NaN;
  for (const p of pts) if (p.tpr >= minSensitivity - SLACK && !(1 - p.fpr <= best)) best = 1 - p.fpr;
  return best;
}
