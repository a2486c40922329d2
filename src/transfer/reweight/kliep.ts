import { gaussianKernel, medianSqDistance, type Rows } from './kernels.js';

/**
 * KLIEP (Sugiyama et al. 2008): the density ratio as w(x) = Σ_l α_l k(x, c_l) over target centres c_l,
 * maximising Σ_j log w(t_j) subject to mean_i w(s_i) = 1 and α ≥ 0, by the paper's projected gradient
 * ascent. Returns w at each source row.
 */
export function kliep(source: Rows, target: Rows, opts: { centres: number; iterations: number; sigma2?: number }): Float64Array {
  const sigma2 = opts.sigma2 ?? medianSqDistance(source, target);
  const nc = Math.min(opts.centres, target.n);
  // Evenly spaced target rows as centres keeps it deterministic without an RNG.
  const centreRows = Array.from({ length: nc }, (_, l) => Math.floor((l * target.n) / nc));
  const centres: Rows = { dim: target.dim, n: nc, data: Float64Array.from(centreRows.flatMap((r) => Array.from(target.data.subarray(r * target.dim, (r + 1) * target.dim)))) };
  const A = gaussianKernel(target, centres, sigma2);
  const S = gaussianKernel(source, centres, sigma2);
  const bvec = new Float64Array(nc);
  for (let i = 0; i < source.n; i++) for (let l = 0; l < nc; l++) bvec[l] += S[i * nc + l] / source.n;
  const bb = bvec.reduce((s, x) => s + x * x, 0);
  let alpha = new Float64Array(nc).fill(1);
  const constrain = () => {
    const ba = bvec.reduce((s, x, l) => s + x * alpha[l], 0);
    alpha = alpha.map((a, l) => a + ((1 - ba) * bvec[l]) / bb).map((a) => Math.max(a, 0));
    const ba2 = bvec.reduce((s, x, l) => s + x * alpha[l], 0);
    alpha = alpha.map((a) => a / ba2);
  };
  constrain();
  // Steps are a tenth of the typical α, since grad/n_t is O(1): each iteration moves α by about 10%.
  const step = (0.1 * alpha.reduce((s, a) => s + a, 0)) / nc;
  for (let it = 0; it < opts.iterations; it++) {
    const grad = new Float64Array(nc);
    for (let j = 0; j < target.n; j++) {
      let aj = 0;
      for (let l = 0; l < nc; l++) aj += A[j * nc + l] * alpha[l];
      const inv = 1 / Math.max(aj, 1e-12);
      for (let l = 0; l < nc; l++) grad[l] += A[j * nc + l] * inv;
    }
    // The gradient grows with n_t; dividing by n_t keeps one step size right for any pool size.
    alpha = alpha.map((a, l) => a + (step * grad[l]) / target.n);
    constrain();
  }
  return Float64Array.from({ length: source.n }, (_, i) => {
    let w = 0;
    for (let l = 0; l < nc; l++) w += S[i * nc + l] * alpha[l];
    return w;
  });
}
