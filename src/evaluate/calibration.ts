/** Mean squared difference between the probability and the 0/1 label (sklearn's `brier_score_loss`). */
export function brierScore(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  const n = labels.length;
  if (n === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += (probs[i] - (labels[i] === 1 ? 1 : 0)) ** 2;
  return s / n;
}

/** Number of equal-width bins that `expectedCalibrationError` uses by default. */
export const ECE_BINS = 10;

/**
 * Bin index of a probability in `bins` equal-width bins on [0, 1], the same as sklearn's
 * `calibration_curve(strategy='uniform')`: bins are right-closed (k/B, (k+1)/B] and the first
 * also holds 0. Edges are k * (1/B) in floating point, as numpy's linspace computes them, so a
 * score on an edge falls in the same bin here as in sklearn.
 */
export function calibrationBin(p: number, bins: number): number {
  const step = 1 / bins;
  let b = 0;
  while (b < bins - 1 && (b + 1) * step < p) b++;
  return b;
}

/**
 * Expected calibration error: sum over non-empty bins of (bin count / n) * |mean label - mean
 * probability|, with `bins` equal-width bins on [0, 1] (see `calibrationBin`).
 */
export function expectedCalibrationError(labels: ArrayLike<number>, probs: ArrayLike<number>, bins = ECE_BINS): number {
  const n = labels.length;
  if (n === 0) return Number.NaN;
  const count = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = calibrationBin(probs[i], bins);
    count[b]++;
    sumY[b] += labels[i] === 1 ? 1 : 0;
    sumP[b] += probs[i];
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] > 0) ece += (count[b] / n) * Math.abs(sumY[b] / count[b] - sumP[b] / count[b]);
  }
  return ece;
}
