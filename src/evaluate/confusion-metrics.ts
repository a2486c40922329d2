import type { Confusion } from './metrics.js';

/** Mean of sensitivity and specificity; NaN unless both classes are present. */
export function balancedAccuracyOf(c: Confusion): number {
  const p = c.tp + c.fn;
  const n = c.tn + c.fp;
  return p === 0 || n === 0 ? Number.NaN : (c.tp / p + c.tn / n) / 2;
}

/** F1 = 2TP / (2TP + FP + FN); NaN when TP + FP + FN = 0 (sklearn returns 0 there). */
export function f1Of(c: Confusion): number {
  const d = 2 * c.tp + c.fp + c.fn;
  return d === 0 ? Number.NaN : (2 * c.tp) / d;
}

/** Matthews correlation coefficient; NaN when any margin is empty (sklearn returns 0 there). */
export function mccOf(c: Confusion): number {
  const d = (c.tp + c.fp) * (c.tp + c.fn) * (c.tn + c.fp) * (c.tn + c.fn);
  return d === 0 ? Number.NaN : (c.tp * c.tn - c.fp * c.fn) / Math.sqrt(d);
}

/** Binary confusion matrix in sklearn's layout: rows true class [0, 1], columns predicted [0, 1]. */
export function binaryConfusionMatrix(c: Confusion): number[][] {
  return [
    [c.tn, c.fp],
    [c.fn, c.tp],
  ];
}

/** K x K confusion matrix of integer class indices in [0, k): rows true class, columns predicted. */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  if (yTrue.length !== yPred.length) throw new Error(`confusionMatrix: ${yTrue.length} labels but ${yPred.length} predictions`);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}
