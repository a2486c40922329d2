import { Rng } from '../../util/random.js';

/**
 * Fold number (0..k−1) of every row for stratified k-fold CV: each class is shuffled under the seed and dealt
 * round-robin, so every fold holds ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of each class c.
 */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, seed: number): Int32Array {
  if (!Number.isInteger(k) || k < 2) throw new Error(`stratified folds: k must be an integer of at least 2, got ${k}`);
  const fold = new Int32Array(labels.length);
  const rng = new Rng(`stratified-folds:${seed}`);
  let offset = 0;
  for (const cls of [0, 1]) {
    const rows = rng.shuffle(Array.from({ length: labels.length }, (_, i) => i).filter((i) => labels[i] === cls));
    // Each class continues where the last left off, so small folds do not all start with the same class.
    rows.forEach((row, j) => (fold[row] = (offset + j) % k));
    offset = (offset + rows.length) % k;
  }
  return fold;
}

/** How many inner folds the labels allow: at most `k`, and no more than the rarer class has rows (0 or 1: no CV). */
export function feasibleFolds(labels: ArrayLike<number>, k: number): number {
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i];
  return Math.min(k, pos, labels.length - pos);
}

/** The rows of fold `f` (held out) and the rest (fitting), as index lists. */
export function splitFold(fold: Int32Array, f: number): { fit: number[]; held: number[] } {
  const fit: number[] = [];
  const held: number[] = [];
  fold.forEach((v, i) => (v === f ? held : fit).push(i));
  return { fit, held };
}
