/** Cumulative counts at one threshold: predicting positive when score >= threshold. */
export interface SweepStep {
  readonly threshold: number;
  readonly tp: number;
  readonly fp: number;
}

/** The cumulative (tp, fp) at every distinct score, descending; ROC, PR and operating points all walk this. */
export function thresholdSweep(labels: ArrayLike<number>, scores: ArrayLike<number>): { nPos: number; nNeg: number; steps: SweepStep[] } {
  const n = labels.length;
  if (scores.length !== n) throw new Error(`${n} labels but ${scores.length} scores`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += labels[i] === 1 ? 1 : 0;
  const steps: SweepStep[] = [];
  let tp = 0;
  let fp = 0;
  let i = 0;
  while (i < n) {
    const s = scores[order[i]];
    // Tied scores form one threshold, so a tie block enters as a single step.
    while (i < n && scores[order[i]] === s) {
      if (labels[order[i]] === 1) tp++;
      else fp++;
      i++;
    }
    steps.push({ threshold: s, tp, fp });
  }
  return { nPos, nNeg: n - nPos, steps };
}
