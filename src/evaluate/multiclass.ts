import { auroc } from './metrics.js';

/**
 * One-vs-rest AUROC per class: class k's scores against "label is k". `labels` are class indices
 * in [0, k); `scores[i][k]` is sample i's score for class k. NaN for a class absent or alone.
 */
export function oneVsRestAuroc(labels: ArrayLike<number>, scores: readonly ArrayLike<number>[]): number[] {
  const n = labels.length;
  if (scores.length !== n) throw new Error(`oneVsRestAuroc: ${n} labels but ${scores.length} score rows`);
  const k = n === 0 ? 0 : scores[0].length;
  const out: number[] = [];
  const y = new Float64Array(n);
  const s = new Float64Array(n);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      y[i] = labels[i] === c ? 1 : 0;
      s[i] = scores[i][c];
    }
    out.push(auroc(y, s));
  }
  return out;
}

/** Unweighted mean of the one-vs-rest AUROCs (sklearn's multi_class='ovr', average='macro'); NaN if any is undefined. */
export function macroAuroc(labels: ArrayLike<number>, scores: readonly ArrayLike<number>[]): number {
  const per = oneVsRestAuroc(labels, scores);
  return per.length === 0 ? Number.NaN : per.reduce((a, b) => a + b, 0) / per.length;
}

/** Index of the highest score in each row (first one on ties, like numpy's argmax). */
export function argmaxRows(scores: readonly ArrayLike<number>[]): number[] {
  return scores.map((row) => {
    let best = 0;
    for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
    return best;
  });
}

/** Fraction of samples whose predicted class index equals the true one. */
export function multiclassAccuracy(labels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  if (labels.length === 0) return Number.NaN;
  let ok = 0;
  for (let i = 0; i < labels.length; i++) ok += labels[i] === predicted[i] ? 1 : 0;
  return ok / labels.length;
}

/** Mean per-class recall over classes present in `labels` (sklearn's `balanced_accuracy_score`). */
export function multiclassBalancedAccuracy(labels: ArrayLike<number>, predicted: ArrayLike<number>, k: number): number {
  const total = new Float64Array(k);
  const hit = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) {
    total[labels[i]]++;
    if (labels[i] === predicted[i]) hit[labels[i]]++;
  }
  let sum = 0;
  let present = 0;
  for (let c = 0; c < k; c++) {
    if (total[c] > 0) {
      sum += hit[c] / total[c];
      present++;
    }
  }
  return present === 0 ? Number.NaN : sum / present;
}
