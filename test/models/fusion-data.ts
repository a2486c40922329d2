import type { FeatureSet } from '../../src/preprocess/features.js';
import { Rng } from '../../src/util/random.js';

/**
 * A two-modality feature set with a known signal in each: tabular column 0 shifts by `tabShift` with the
 * label (plus unit noise), and the left half of an 8x8 image brightens by `imgShift` (plus unit noise per pixel).
 */
export function twoModalityFeatures(n: number, seed: number, opts: { tabShift: number; imgShift: number; size?: number }): FeatureSet {
  const rng = new Rng(`fusion-data:${seed}`);
  const size = opts.size ?? 8;
  const labels = new Float32Array(n);
  const image = new Float32Array(n * size * size);
  const tabular = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const y = rng.bernoulli(0.5) ? 1 : 0;
    labels[i] = y;
    tabular[i * 2] = (y - 0.5) * opts.tabShift + rng.normal(0, 1);
    tabular[i * 2 + 1] = rng.normal(0, 1);
    for (let p = 0; p < size * size; p++) image[i * size * size + p] = rng.normal(0, 1) + (p % size < size / 2 ? (y - 0.5) * opts.imgShift : 0);
  }
  return {
    n,
    labels,
    keys: Array.from({ length: n }, (_, i) => `s/${i}`),
    sites: new Array<string>(n).fill('s'),
    image: { shape: [size, size, 1], data: image },
    imageEmbedding: { dim: size * size, data: image },
    tabular: { dim: 2, data: tabular },
    masks: { image: new Uint8Array(n).fill(1), tabular: new Uint8Array(n).fill(1) },
  };
}
