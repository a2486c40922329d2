import { buildFusionModel, type FusionModel } from '../models/fusion.js';
import { modelSpecFor } from '../models/spec-for.js';
import type { ModelSpec } from '../models/spec.js';
import type { FittedPreprocessor, PreprocessSpec } from '../preprocess/preprocessor.js';
import type { TransferContext } from './types.js';

/** The full model spec for a context's modalities and a fitted preprocessor's output shapes (categorical cardinalities and text width included). */
export function specFor(ctx: TransferContext, pre: FittedPreprocessor): ModelSpec {
  return modelSpecFor(ctx.architecture, ctx.modalities, pre);
}

/** What fitPreprocessor fits for a context: its modalities, schema, image options, categorical encoding, any backbone embeddings and volume options. */
export function preprocessSpecOf(ctx: TransferContext): PreprocessSpec {
  return {
    modalities: ctx.modalities,
    schema: ctx.schema,
    image: ctx.image,
    ...(ctx.categorical ? { categorical: ctx.categorical } : {}),
    ...(ctx.imageEmbeddings ? { imageEmbeddings: ctx.imageEmbeddings } : {}),
    ...(ctx.volume ? { volume: ctx.volume } : {}),
  };
}

/** An independent copy of a model (same architecture and weights), so fine-tuning never alters the shared pretrained one. */
export function cloneModel(fm: FusionModel, seed: number): FusionModel {
  const copy = buildFusionModel(fm.spec, seed);
  copy.net.setWeights(fm.net.getWeights());
  return copy;
}
