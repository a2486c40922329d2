/** Cumulative counts at one threshold: predicting positive when score >= threshold. */
export interface SweepStep {
  readonly threshold: number;
  readonly tp: number;
  readonly fp: number;
}

/** Class counts and the cumulative steps of a threshold sweep. */
export interface ThresholdSweep {
  readonly nPos: number;
  readonly nNeg: number;
  readonly steps: SweepStep[];
}

/** The cumulative (tp, fp) at every distinct score, descending; ROC, PR and operating points all walk this. */
export function thresholdSweep(labels: ArrayLike<number>, scores: ArrayLike<number>): ThresholdSweep {
  const n = labels.length;
  if (scores.length !== n) throw new Error(`${n} labels but ${scores.length} scores`);
  let nPos = 0;
  for (let i = 0; i < n; i++) nPos += labels[i] === 1 ? 1 : 0;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(n - nPos);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new Error(`score ${i} is NaN; a threshold sweep needs every score`);
    if (labels[i] === 1) pos[p++] = scores[i];
    else neg[q++] = scores[i];
  }
  // Two comparator-free typed-array sorts merged from the top: bootstrap CIs call this thousands
  // of times, and a sort callback was most of their cost.
  pos.sort();
  neg.sort();
  const steps: SweepStep[] = [];
  let pi = pos.length - 1;
  let ni = neg.length - 1;
  let tp = 0;
  let fp = 0;
  while (pi >= 0 || ni >= 0) {
    const s = pi < 0 ? neg[ni] : ni < 0 ? pos[pi] : Math.max(pos[pi], neg[ni]);
    // Tied scores form one threshold, so a tie block enters as a single step.
    while (pi >= 0 && pos[pi] === s) {
      tp++;
      pi--;
    }
    while (ni >= 0 && neg[ni] === s) {
      fp++;
      ni--;
    }
    steps.push({ threshold: s, tp, fp });
  }
  return { nPos, nNeg: n - nPos, steps };
}
