import type { Modality } from '../data/types.js';
import type { FittedPreprocessor } from '../preprocess/preprocessor.js';
import type { ModelSpec } from './spec.js';

/** The full model spec for an architecture, a set of modalities and a fitted preprocessor's output shapes (image or volume, tabular, categorical cardinalities, text). */
export function modelSpecFor(
  architecture: Omit<ModelSpec, 'modalities' | 'imageShape' | 'tabularDim'>,
  modalities: readonly Modality[],
  pre: FittedPreprocessor,
): ModelSpec {
  const cards = pre.tabular?.embedsCategories ? pre.tabular.cardinalities : undefined;
  return {
    ...architecture,
    modalities,
    imageShape: pre.image?.shape,
    tabularDim: pre.tabular?.dim,
    ...(cards ? { categoricalCardinalities: cards } : {}),
    ...(pre.text ? { textDim: pre.text.dim } : {}),
    ...(pre.volume ? { imageEncoder: 'cnn3d' as const, volumeShape: pre.volume.shape } : {}),
    ...(pre.imageEmbeddings ? { imageEncoder: 'embedding' as const, imageEmbeddingDim: pre.imageEmbeddings.dim } : {}),
  };
}
