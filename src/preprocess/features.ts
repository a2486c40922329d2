import type { Modality } from '../data/types.js';

/** A row-major float block of `dim` values per row. */
export interface FloatBlock {
  readonly dim: number;
  readonly data: Float32Array;
}

/** Per-row category indices for the embedded categorical columns: index 0 means missing or unseen. */
export interface CategoricalBlock {
  /** Column names, in block order. */
  readonly columns: readonly string[];
  /** Number of indices per column, including the missing/unseen index 0. */
  readonly cardinalities: readonly number[];
  /** Row-major [n, columns.length] indices. */
  readonly data: Int32Array;
}

/** Per-modality presence, one byte per row: 1 where the sample has the modality, 0 where it lacks it. */
export type PresenceMasks = Readonly<Partial<Record<Modality, Uint8Array>>>;

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
  /** Volumes as a contiguous NDHWC block, for the 3-D CNN encoder. */
  readonly volume?: { readonly shape: readonly [number, number, number, number]; readonly data: Float32Array };
  /** Precomputed image embeddings (e.g. a frozen ONNX backbone), row-major [n, dim]. */
  readonly imageEmbedding?: FloatBlock;
  /** Tabular features as a contiguous row-major [n, dim] block (numeric part only when categoricals are embedded). */
  readonly tabular?: FloatBlock;
  /** Categorical columns as indices, when they are embedded instead of one-hot encoded. */
  readonly categorical?: CategoricalBlock;
  /** Text features (hashed n-grams), row-major [n, dim]. */
  readonly text?: FloatBlock;
  /** Which rows have each modality; a modality without an entry is present in every row. */
  readonly masks?: PresenceMasks;
}

/** The modalities present in a feature set. */
export function featureModalities(fs: FeatureSet): Modality[] {
  const out: Modality[] = [];
  if (fs.image || fs.volume || fs.imageEmbedding) out.push('image');
  if (fs.tabular || fs.categorical) out.push('tabular');
  if (fs.text) out.push('text');
  return out;
}

/** How many rows lack each modality of the feature set (0 for a modality without a mask). */
export function missingModalityCounts(fs: FeatureSet): Partial<Record<Modality, number>> {
  const out: Partial<Record<Modality, number>> = {};
  for (const m of featureModalities(fs)) {
    const mask = fs.masks?.[m];
    let missing = 0;
    if (mask) for (const v of mask) missing += v ? 0 : 1;
    out[m] = missing;
  }
  return out;
}

/** Presence (1) or absence (0) of modality `m` in row `row`; rows without a mask count as present. */
export function isPresent(fs: FeatureSet, m: Modality, row: number): number {
  const mask = fs.masks?.[m];
  return mask ? mask[row] : 1;
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
  const block = (b: FloatBlock | undefined): FloatBlock | undefined => b && { dim: b.dim, data: gatherRows(b.data, b.dim, indices) };
  let masks: PresenceMasks | undefined;
  if (fs.masks) {
    const m: Partial<Record<Modality, Uint8Array>> = {};
    for (const [k, v] of Object.entries(fs.masks) as [Modality, Uint8Array][]) m[k] = Uint8Array.from(indices, (r) => v[r]);
    masks = m;
  }
  return {
    n,
    labels,
    keys,
    sites,
    image: fs.image && { shape: fs.image.shape, data: gatherRows(fs.image.data, rowSize(fs.image.shape), indices) },
    volume: fs.volume && { shape: fs.volume.shape, data: gatherRows(fs.volume.data, rowSize(fs.volume.shape), indices) },
    imageEmbedding: block(fs.imageEmbedding),
    tabular: block(fs.tabular),
    categorical: fs.categorical && { ...fs.categorical, data: gatherIntRows(fs.categorical.data, fs.categorical.columns.length, indices) },
    text: block(fs.text),
    masks,
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
  const cat = <T extends Float32Array | Int32Array | Uint8Array>(get: (p: FeatureSet) => T | undefined, size: number, make: (len: number) => T): T => {
    const out = make(n * size);
    let o = 0;
    for (const p of parts) {
      const d = get(p);
      if (!d) throw new Error('concatFeatures: parts have different modalities');
      out.set(d, o);
      o += d.length;
    }
    return out;
  };
  const f32 = (len: number) => new Float32Array(len);
  const block = (get: (p: FeatureSet) => FloatBlock | undefined): FloatBlock | undefined => {
    const b = get(first);
    return b && { dim: b.dim, data: cat((p) => get(p)?.data, b.dim, f32) };
  };
  let masks: PresenceMasks | undefined;
  const maskKeys = new Set(parts.flatMap((p) => Object.keys(p.masks ?? {}) as Modality[]));
  if (maskKeys.size) {
    const m: Partial<Record<Modality, Uint8Array>> = {};
    // A part without a mask for a modality has it in every row.
    for (const k of maskKeys) m[k] = cat((p) => p.masks?.[k] ?? new Uint8Array(p.n).fill(1), 1, (len) => new Uint8Array(len));
    masks = m;
  }
  return {
    n,
    labels,
    keys: parts.flatMap((p) => p.keys),
    sites: parts.flatMap((p) => p.sites),
    image: first.image && { shape: first.image.shape, data: cat((p) => p.image?.data, rowSize(first.image.shape), f32) },
    volume: first.volume && { shape: first.volume.shape, data: cat((p) => p.volume?.data, rowSize(first.volume.shape), f32) },
    imageEmbedding: block((p) => p.imageEmbedding),
    tabular: block((p) => p.tabular),
    categorical: first.categorical && {
      ...first.categorical,
      data: cat((p) => p.categorical?.data, first.categorical.columns.length, (len) => new Int32Array(len)),
    },
    text: block((p) => p.text),
    masks,
  };
}

/** A copy of the feature set keeping only the given modalities. */
export function withModalities(fs: FeatureSet, modalities: readonly Modality[]): FeatureSet {
  const img = modalities.includes('image');
  const tab = modalities.includes('tabular');
  const txt = modalities.includes('text');
  return {
    ...fs,
    image: img ? fs.image : undefined,
    volume: img ? fs.volume : undefined,
    imageEmbedding: img ? fs.imageEmbedding : undefined,
    tabular: tab ? fs.tabular : undefined,
    categorical: tab ? fs.categorical : undefined,
    text: txt ? fs.text : undefined,
  };
}

/** A copy of the feature set in which modality `m` is absent from every row (zeroed features, mask 0), to test robustness to a lost modality. */
export function dropModality(fs: FeatureSet, m: Modality): FeatureSet {
  const zeros = <T extends { data: Float32Array }>(b: T | undefined): T | undefined => b && { ...b, data: new Float32Array(b.data.length) };
  return {
    ...fs,
    ...(m === 'image' ? { image: zeros(fs.image), volume: zeros(fs.volume), imageEmbedding: zeros(fs.imageEmbedding) } : {}),
    ...(m === 'tabular' ? { tabular: zeros(fs.tabular), categorical: fs.categorical && { ...fs.categorical, data: new Int32Array(fs.categorical.data.length) } } : {}),
    ...(m === 'text' ? { text: zeros(fs.text) } : {}),
    masks: { ...fs.masks, [m]: new Uint8Array(fs.n) },
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

/** Copies rows `indices` (each `size` ints) of a row-major int block into a new array. */
export function gatherIntRows(data: Int32Array, size: number, indices: readonly number[]): Int32Array {
  const out = new Int32Array(indices.length * size);
  indices.forEach((r, i) => out.set(data.subarray(r * size, (r + 1) * size), i * size));
  return out;
}
