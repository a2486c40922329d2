import type { Sample } from '../../data/types.js';
import type { FusionModel } from '../../models/fusion.js';
import type { FeatureSet } from '../../preprocess/features.js';
import type { FittedPreprocessor } from '../../preprocess/preprocessor.js';
import { layerFeatures } from '../updating/logit-layer.js';
import type { FeatureTable } from './l2-logistic.js';
import { IMAGE_EMBEDDING_LAYER, type BaselineFeatures } from './linear-model.js';

/** Whether a feature choice reads the record vector and the source image embedding. */
export function featureParts(features: BaselineFeatures): { readonly record: boolean; readonly image: boolean } {
  return { record: features !== 'image_embedding', image: features !== 'record' };
}

/** Throws, naming the strategy, when the method's modalities or the preprocessing cannot supply the features. */
export function checkFeatures(strategy: string, features: BaselineFeatures, modalities: readonly string[], pre?: FittedPreprocessor): void {
  const parts = featureParts(features);
  if (parts.record && !modalities.includes('tabular')) throw new Error(`${strategy} with features '${features}' needs the tabular modality (method modalities: ${modalities.join(', ')})`);
  if (parts.image && !modalities.includes('image')) throw new Error(`${strategy} with features '${features}' needs the image modality (method modalities: ${modalities.join(', ')})`);
  if (parts.record && pre?.tabular?.embedsCategories) {
    throw new Error(`${strategy} with features '${features}' reads the source model's record vector, which holds no categorical columns under 'categorical: embedding'; use one-hot categoricals or features 'record' alone`);
  }
}

/** The feature table of preprocessed rows: the source model's image embedding (when `image`), then the record vector (when `record`). */
export function featureTable(fs: FeatureSet, parts: { readonly record: boolean; readonly image: boolean }, source?: FusionModel): FeatureTable {
  const blocks: { k: number; x: ArrayLike<number> }[] = [];
  if (parts.image) {
    if (!source) throw new Error('image-embedding features need the source model');
    const { p, h } = layerFeatures(source, fs, IMAGE_EMBEDDING_LAYER);
    blocks.push({ k: p, x: h });
  }
  if (parts.record) {
    if (!fs.tabular) throw new Error('record features: the preprocessed rows have no tabular block');
    blocks.push({ k: fs.tabular.dim, x: fs.tabular.data });
  }
  const k = blocks.reduce((s, b) => s + b.k, 0);
  const x = new Float64Array(fs.n * k);
  for (let i = 0; i < fs.n; i++) {
    let c = 0;
    for (const b of blocks) {
      for (let j = 0; j < b.k; j++) x[i * k + c + j] = b.x[i * b.k + j];
      c += b.k;
    }
  }
  return { n: fs.n, k, x };
}

/** The 0/1 labels of samples, as float64. */
export function labelsOf(samples: readonly Sample[]): Float64Array {
  return Float64Array.from(samples, (s) => s.label);
}
