import type { FeatureSet } from '../../src/preprocess/features.js';
import { Rng } from '../../src/util/random.js';

/**
 * A tabular feature set of `n` rows in `dim` dimensions: x ~ N(shift, scale²) per coordinate, and a
 * label that depends on the first two coordinates relative to the domain's own centre.
 */
export function shiftedDomain(opts: { n: number; dim: number; shift: number; scale: number; seed: number; site: string; labelNoise?: number }): FeatureSet {
  const rng = new Rng(opts.seed);
  const data = new Float32Array(opts.n * opts.dim);
  const labels = new Float32Array(opts.n);
  for (let i = 0; i < opts.n; i++) {
    let z = 0;
    for (let j = 0; j < opts.dim; j++) {
      const u = rng.normal(0, 1);
      data[i * opts.dim + j] = opts.shift + opts.scale * u;
      if (j < 2) z += u;
    }
    labels[i] = z + rng.normal(0, opts.labelNoise ?? 0.3) > 0 ? 1 : 0;
  }
  return {
    n: opts.n,
    labels,
    keys: Array.from({ length: opts.n }, (_, i) => `${opts.site}/s${i}`),
    sites: Array.from({ length: opts.n }, () => opts.site),
    tabular: { dim: opts.dim, data },
  };
}
