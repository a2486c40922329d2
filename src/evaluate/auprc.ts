/**
 * Average precision as sklearn's `average_precision_score` defines it: sum over distinct score
 * thresholds (descending) of (R_k - R_{k-1}) * P_k, with no interpolation. Tied scores form one
 * threshold, so a tie block enters as a single step. NaN when there are no positives.
 */
export function averagePrecision(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  if (scores.length !== n) throw new Error(`averagePrecision: ${n} labels but ${scores.length} scores`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += labels[i] === 1 ? 1 : 0;
  if (nPos === 0) return Number.NaN;
  let tp = 0;
  let fp = 0;
  let prevRecall = 0;
  let ap = 0;
  let i = 0;
  while (i < n) {
    const s = scores[order[i]];
    while (i < n && scores[order[i]] === s) {
      if (labels[order[i]] === 1) tp++;
      else fp++;
      i++;
    }
    const recall = tp / nPos;
    ap += (recall - prevRecall) * (tp / (tp + fp));
    prevRecall = recall;
  }
  return ap;
}
