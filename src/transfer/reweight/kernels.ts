/** Rows of a row-major matrix: `n` rows of width `dim`. */
export interface Rows {
  readonly data: Float32Array | Float64Array;
  readonly dim: number;
  readonly n: number;
}

/** Squared Euclidean distance between row i of a and row j of b. */
export function sqDist(a: Rows, i: number, b: Rows, j: number): number {
  let s = 0;
  for (let k = 0; k < a.dim; k++) {
    const d = a.data[i * a.dim + k] - b.data[j * b.dim + k];
    s += d * d;
  }
  return s;
}

/** Median of the pairwise squared distances over all rows of a and b (at most `maxPairs` sampled deterministically). */
export function medianSqDistance(a: Rows, b: Rows, maxPairs = 20000): number {
  const all: Rows[] = [a, b];
  const total = a.n + b.n;
  const row = (r: number): [Rows, number] => (r < a.n ? [all[0], r] : [all[1], r - a.n]);
  const values: number[] = [];
  // A fixed stride over pairs keeps it deterministic and bounded without an RNG.
  const pairs = (total * (total - 1)) / 2;
  const stride = Math.max(1, Math.floor(pairs / maxPairs));
  let p = 0;
  for (let i = 0; i < total; i++) {
    for (let j = i + 1; j < total; j++, p++) {
      if (p % stride !== 0) continue;
      const [ra, ia] = row(i);
      const [rb, ib] = row(j);
      const d = sqDist(ra, ia, rb, ib);
      if (d > 0) values.push(d);
    }
  }
  values.sort((x, y) => x - y);
  return values.length ? values[Math.floor(values.length / 2)] : 1;
}

/** Gaussian kernel matrix k(a_i, b_j) = exp(−‖a_i − b_j‖² / (2σ²)), row-major [a.n, b.n]. */
export function gaussianKernel(a: Rows, b: Rows, sigma2: number): Float64Array {
  const k = new Float64Array(a.n * b.n);
  for (let i = 0; i < a.n; i++) for (let j = 0; j < b.n; j++) k[i * b.n + j] = Math.exp(-sqDist(a, i, b, j) / (2 * sigma2));
  return k;
}
