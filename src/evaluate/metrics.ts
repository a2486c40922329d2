/** Binary classification metrics on scores and labels. */

/** Area under the ROC curve via the Mann-Whitney U statistic, with mid-ranks for tied scores. */
export function auroc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  if (scores.length !== n) throw new Error(`auroc: ${n} labels but ${scores.length} scores`);
  let nPos = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) nPos++;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(nNeg);
  for (let i = 0, p = 0, q = 0; i < n; i++) {
    const s = scores[i];
    if (Number.isNaN(s)) return aurocByRanks(labels, scores);
    if (labels[i] === 1) pos[p++] = s;
    else neg[q++] = s;
  }
  // Mann-Whitney U: each positive counts the negatives below it, plus half of those tied with it.
  // Typed-array sorts need no comparator, which makes this several times faster than ranking
  // through a sort callback; bootstrap CIs call it thousands of times per report.
  pos.sort();
  neg.sort();
  let u = 0;
  let below = 0;
  let upTo = 0;
  for (let i = 0; i < nPos; i++) {
    const s = pos[i];
    while (below < nNeg && neg[below] < s) below++;
    if (upTo < below) upTo = below;
    while (upTo < nNeg && neg[upTo] === s) upTo++;
    u += below + (upTo - below) / 2;
  }
  return u / (nPos * nNeg);
}

/** AUROC from mid-ranks; the reference definition, used when a score is NaN. */
function aurocByRanks(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let nPos = 0;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    // Tied scores share the mean of the ranks they span (1-based).
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        nPos++;
        rankSumPos += midRank;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Counts of a binary confusion matrix at a threshold (score >= threshold is positive). */
export interface Confusion {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

/** The confusion matrix of scores thresholded at `threshold`. */
export function confusion(labels: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): Confusion {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const pred = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (pred) tp++;
      else fn++;
    } else if (pred) fp++;
    else tn++;
  }
  return { tp, fp, tn, fn };
}

/** Fraction of correct predictions. */
export function accuracyOf(c: Confusion): number {
  const n = c.tp + c.fp + c.tn + c.fn;
  return n === 0 ? Number.NaN : (c.tp + c.tn) / n;
}

/** True-positive rate (recall); NaN when there are no positives. */
export function sensitivityOf(c: Confusion): number {
  return c.tp + c.fn === 0 ? Number.NaN : c.tp / (c.tp + c.fn);
}

/** True-negative rate; NaN when there are no negatives. */
export function specificityOf(c: Confusion): number {
  return c.tn + c.fp === 0 ? Number.NaN : c.tn / (c.tn + c.fp);
}

/** Mean binary cross-entropy of probabilities, clipped away from 0 and 1. */
export function logLoss(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  const eps = 1e-7;
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probs[i]));
    s -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return s / labels.length;
}
