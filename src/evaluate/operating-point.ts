import { thresholdSweep, type ThresholdSweep } from './threshold-sweep.js';

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
  return sensitivityAtSpecificityOfSweep(thresholdSweep(labels, scores), minSpecificity);
}

/** `sensitivityAtSpecificity` from a threshold sweep already taken; walks the same ROC points without building them. */
export function sensitivityAtSpecificityOfSweep({ nPos, nNeg, steps }: ThresholdSweep, minSpecificity: number): number {
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  // The first ROC point, threshold +Infinity: nothing positive.
  let best = 1 >= minSpecificity - SLACK ? 0 : Number.NaN;
  for (const st of steps) {
    const tpr = st.tp / nPos;
    if (1 - st.fp / nNeg >= minSpecificity - SLACK && !(tpr <= best)) best = tpr;
  }
  return best;
}

/**
 * Highest specificity (1 - FPR) among ROC points whose sensitivity is at least `minSensitivity`
 * (less 1e-12 for rounding); NaN when a class is missing. No interpolation between points.
 */
export function specificityAtSensitivity(labels: ArrayLike<number>, scores: ArrayLike<number>, minSensitivity: number): number {
  return specificityAtSensitivityOfSweep(thresholdSweep(labels, scores), minSensitivity);
}

/** `specificityAtSensitivity` from a threshold sweep already taken; walks the same ROC points without building them. */
export function specificityAtSensitivityOfSweep({ nPos, nNeg, steps }: ThresholdSweep, minSensitivity: number): number {
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  // The first ROC point, threshold +Infinity: sensitivity 0, specificity 1.
  let best = 0 >= minSensitivity - SLACK ? 1 : Number.NaN;
  for (const st of steps) {
    const spec = 1 - st.fp / nNeg;
    if (st.tp / nPos >= minSensitivity - SLACK && !(spec <= best)) best = spec;
  }
  return best;
}
