/** Summary of a set of importance weights. */
export interface WeightSummary {
  readonly min: number;
  readonly max: number;
  /** Kish effective sample size (Σw)² / Σw². */
  readonly effectiveSampleSize: number;
  readonly n: number;
}

/** Clips weights at `clip` times their mean, then rescales them to mean 1 (so the loss scale is unchanged). */
export function clipAndNormalise(raw: ArrayLike<number>, clip: number): Float32Array {
  const n = raw.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += Math.max(raw[i], 0) / n;
  if (!(mean > 0)) return new Float32Array(n).fill(1);
  const clipped = Array.from({ length: n }, (_, i) => Math.min(Math.max(raw[i], 0) / mean, clip));
  const m2 = clipped.reduce((a, b) => a + b, 0) / n;
  return Float32Array.from(clipped, (w) => w / m2);
}

/** Min, max and effective sample size of weights. */
export function summariseWeights(w: ArrayLike<number>): WeightSummary {
  let min = Infinity;
  let max = -Infinity;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < w.length; i++) {
    min = Math.min(min, w[i]);
    max = Math.max(max, w[i]);
    s += w[i];
    s2 += w[i] * w[i];
  }
  return { min, max, effectiveSampleSize: s2 > 0 ? (s * s) / s2 : 0, n: w.length };
}
