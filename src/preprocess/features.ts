import type { Modality } from '../data/types.js';

/** Preprocessed, model-ready arrays for a set of samples, one row per sample. */
export interface FeatureSet {
  readonly n: number;
  /** 0/1 labels as float32, one per row. */
  readonly labels: Float32Array;
  /** `site/subject` key per row, for tracing predictions back to patients. */
  readonly keys: readonly string[];
  readonly sites: readonly string[];
  /** Images as a contiguous NHWC block. */
  readonly image?: { readonly shape: readonly [number, number, number]; readonly data: Float32Array };
  /** Tabular features as a contiguous row-major [n, dim] block. */
  readonly tabular?: { readonly dim: number; readonly data: Float32Array };
}

/** The modalities present in a feature set. */
export function featureModalities(fs: FeatureSet): Modality[] {
  const out: Modality[] = [];
  if (fs.image) out.push('image');
  if (fs.tabular) out.push('tabular');
  return out;
}

/** Rows `indices` of a feature set, copied into a new one. */
export function selectRows(fs: FeatureSet, indices: readonly number[]): FeatureSet {
  const n = indices.length;
  const labels = new Float32Array(n);
  const keys: string[] = [];
  const sites: string[] = [];
  indices.forEach((r, i) => {
    labels[i] = fs.labels[r];
    keys.push(fs.keys[r]);
    sites.push(fs.sites[r]);
  });
  return {
    n,
    labels,
    keys,
    sites,
    image: fs.image && { shape: fs.image.shape, data: gatherRows(fs.image.data, rowSize(fs.image.shape), indices) },
    tabular: fs.tabular && { dim: fs.tabular.dim, data: gatherRows(fs.tabular.data, fs.tabular.dim, indices) },
  };
}

/** Stacks feature sets with the same layout into one. */
export function concatFeatures(parts: readonly FeatureSet[]): FeatureSet {
  if (parts.length === 0) throw new Error('concatFeatures: nothing to concatenate');
  const first = parts[0];
  const n = parts.reduce((a, p) => a + p.n, 0);
  const labels = new Float32Array(n);
  let off = 0;
  for (const p of parts) {
    labels.set(p.labels, off);
    off += p.n;
  }
  const cat = (get: (p: FeatureSet) => Float32Array | undefined, size: number): Float32Array => {
    const out = new Float32Array(n * size);
    let o = 0;
    for (const p of parts) {
      const d = get(p);
      if (!d) throw new Error('concatFeatures: parts have different modalities');
      out.set(d, o);
      o += d.length;
    }
    return out;
  };
  return {
    n,
    labels,
    keys: parts.flatMap((p) => p.keys),
    sites: parts.flatMap((p) => p.sites),
    image: first.image && { shape: first.image.shape, data: cat((p) => p.image?.data, rowSize(first.image.shape)) },
    tabular: first.tabular && { dim: first.tabular.dim, data: cat((p) => p.tabular?.data, first.tabular.dim) },
  };
}

/** A copy of the feature set keeping only the given modalities. */
export function withModalities(fs: FeatureSet, modalities: readonly Modality[]): FeatureSet {
  return {
    ...fs,
    image: modalities.includes('image') ? fs.image : undefined,
    tabular: modalities.includes('tabular') ? fs.tabular : undefined,
  };
}

function rowSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Copies rows `indices` (each `size` floats) of a row-major block into a new array. */
export function gatherRows(data: Float32Array, size: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * size);
  indices.forEach((r, i) => out.set(data.subarray(r * size, (r + 1) * size), i * size));
  return out;
}
