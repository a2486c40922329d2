import type { Rows } from './kernels.js';

/**
 * Density ratio p_target(x)/p_source(x) for each source row, from an L2-regularised logistic regression
 * telling target (1) from source (0): ratio = (n_s/n_t) · p(target|x)/p(source|x). Features are x and x²
 * (per coordinate), because the log-ratio of two Gaussians with different spreads is quadratic, which a
 * linear logit cannot follow. Fitted by full-batch gradient descent, enough for a few dozen features.
 */
export function classifierDensityRatio(rawSource: Rows, rawTarget: Rows, opts: { l2: number; iterations?: number; learningRate?: number }): Float64Array {
  const source = withSquares(rawSource);
  const target = withSquares(rawTarget);
  const d = source.dim;
  const w = new Float64Array(d);
  let b = 0;
  const n = source.n + target.n;
  const iterations = opts.iterations ?? 500;
  // 1/L with L ≥ the Lipschitz constant of the mean logistic loss (¼·trace of the second-moment matrix + l2): stable for any scaling.
  let trace = 1;
  for (const rows of [source, target]) for (let i = 0; i < rows.n * d; i++) trace += (rows.data[i] * rows.data[i]) / n;
  const lr = opts.learningRate ?? 1 / (0.25 * trace + opts.l2);
  const logit = (rows: Rows, i: number) => {
    let z = b;
    for (let k = 0; k < d; k++) z += w[k] * rows.data[i * d + k];
    return z;
  };
  for (let it = 0; it < iterations; it++) {
    const gw = new Float64Array(d);
    let gb = 0;
    for (const [rows, y] of [
      [source, 0],
      [target, 1],
    ] as const) {
      for (let i = 0; i < rows.n; i++) {
        const err = 1 / (1 + Math.exp(-logit(rows, i))) - y;
        for (let k = 0; k < d; k++) gw[k] += err * rows.data[i * d + k];
        gb += err;
      }
    }
    for (let k = 0; k < d; k++) w[k] -= lr * (gw[k] / n + opts.l2 * w[k]);
    b -= (lr * gb) / n;
  }
  const prior = source.n / target.n;
  return Float64Array.from({ length: source.n }, (_, i) => prior * Math.exp(logit(source, i)));
}

/** Rows extended with the square of each coordinate. */
function withSquares(r: Rows): Rows {
  const d = r.dim;
  const data = new Float64Array(r.n * 2 * d);
  for (let i = 0; i < r.n; i++) {
    for (let k = 0; k < d; k++) {
      const x = r.data[i * d + k];
      data[i * 2 * d + k] = x;
      data[i * 2 * d + d + k] = x * x;
    }
  }
  return { data, dim: 2 * d, n: r.n };
}
