import { thresholdSweep, type ThresholdSweep } from './threshold-sweep.js';

/**
 * Average precision as sklearn's `average_precision_score` defines it: sum over distinct score
 * thresholds (descending) of (R_k - R_{k-1}) * P_k, with no interpolation. Tied scores form one
 * threshold, so a tie block enters as a single step. NaN when there are no positives.
 */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  if (scores.length !== labels.length) throw new Error(`averagePrecision: ${labels.length} labels but ${scores.length} scores`);
  return averagePrecisionOfSweep(thresholdSweep(labels, scores));
}

/** Average precision from a threshold sweep already taken (several metrics of one resample share it). */
export function averagePrecisionOfSweep({ nPos, steps }: ThresholdSweep): number {
  if (nPos === 0) return Number.NaN;
  let prevRecall = 0;
  let ap = 0;
  for (const { tp, fp } of steps) {
    const recall = tp / nPos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}
