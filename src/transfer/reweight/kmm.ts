import { gaussianKernel, medianSqDistance, type Rows } from './kernels.js';

/**
 * Kernel mean matching (Huang et al. 2007): weights β for source rows minimising
 * ½βᵀKβ − κᵀβ, with κ_i = (n_s/n_t) Σ_j k(x_i, t_j), subject to 0 ≤ β ≤ B and |Σβ − n_s| ≤ n_s·ε,
 * so the weighted source kernel mean matches the target's. No QP solver exists for TypeScript, so it is
 * solved by projected gradient descent with step 1/L (L = largest eigenvalue of K, by power iteration);
 * the projection onto the box-and-slab set is clip(v − τ, 0, B) with τ found by bisection.
 */
export function kernelMeanMatching(source: Rows, target: Rows, opts: { bound: number; epsilon: number; iterations: number; sigma2?: number }): Float64Array {
  const ns = source.n;
  const sigma2 = opts.sigma2 ?? medianSqDistance(source, target);
  const K = gaussianKernel(source, source, sigma2);
  const Kst = gaussianKernel(source, target, sigma2);
  const kappa = new Float64Array(ns);
  for (let i = 0; i < ns; i++) {
    let s = 0;
    for (let j = 0; j < target.n; j++) s += Kst[i * target.n + j];
    kappa[i] = (ns / target.n) * s;
  }
  const matVec = (v: Float64Array) => {
    const out = new Float64Array(ns);
    for (let i = 0; i < ns; i++) {
      let s = 0;
      for (let j = 0; j < ns; j++) s += K[i * ns + j] * v[j];
      out[i] = s;
    }
    return out;
  };
  let v: Float64Array = new Float64Array(ns).fill(1 / Math.sqrt(ns));
  let L = 1;
  for (let it = 0; it < 50; it++) {
    const kv = matVec(v);
    L = Math.hypot(...kv);
    v = kv.map((x) => x / L);
  }
  const lo = ns * (1 - opts.epsilon);
  const hi = ns * (1 + opts.epsilon);
  let beta: Float64Array = new Float64Array(ns).fill(1);
  for (let it = 0; it < opts.iterations; it++) {
    const g = matVec(beta);
    const step = beta.map((b, i) => b - (g[i] - kappa[i]) / L);
    beta = projectBoxSlab(step, opts.bound, lo, hi);
  }
  return beta;
}

/** Euclidean projection of v onto {0 ≤ β ≤ B, lo ≤ Σβ ≤ hi}: clip(v − τ, 0, B) with the τ that meets the violated bound. */
export function projectBoxSlab(v: Float64Array, bound: number, lo: number, hi: number): Float64Array {
  const clipped = (tau: number) => v.map((x) => Math.min(Math.max(x - tau, 0), bound));
  const sum = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
  const at0 = clipped(0);
  const s0 = sum(at0);
  if (s0 >= lo && s0 <= hi) return at0;
  const goal = s0 < lo ? lo : hi;
  // Σ clip(v − τ) is non-increasing in τ; bracket it and bisect.
  let a = Math.min(...v) - bound - 1;
  let b = Math.max(...v) + 1;
  for (let it = 0; it < 100; it++) {
    const m = (a + b) / 2;
    if (sum(clipped(m)) > goal) a = m;
    else b = m;
  }
  return clipped((a + b) / 2);
}
