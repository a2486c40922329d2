import { buildFusionModel, type FusionModel } from '../models/fusion.js';
import type { ModelSpec } from '../models/spec.js';
import type { FittedPreprocessor } from '../preprocess/preprocessor.js';
import type { TransferContext } from './types.js';

/** The full model spec for a context's modalities and a fitted preprocessor's output shapes. */
export function specFor(ctx: TransferContext, pre: FittedPreprocessor): ModelSpec {
  return {
    ...ctx.architecture,
    modalities: ctx.modalities,
    imageShape: pre.image?.shape,
    tabularDim: pre.tabular?.dim,
  };
}

/** An independent copy of a model (same architecture and weights), so fine-tuning never alters the shared pretrained one. */
export function cloneModel(fm: FusionModel, seed: number): FusionModel {
  const copy = buildFusionModel(fm.spec, seed);
  copy.net.setWeights(fm.net.getWeights());
  return copy;
}
