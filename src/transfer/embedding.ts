import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { embeddingModel } from '../models/embedding.js';
import type { FusionModel } from '../models/fusion.js';

// Building the sub-model is a graph walk; training steps call embed() many times, so build it once per net.
const cache = new WeakMap<tfl.LayersModel, tfl.LayersModel>();

/** The fusion model's embedding sub-model (shared weights), built once per model. */
export function cachedEmbeddingModel(fm: FusionModel): tfl.LayersModel {
  let m = cache.get(fm.net);
  if (!m) cache.set(fm.net, (m = embeddingModel(fm)));
  return m;
}

/** Fused embeddings [batch, width] of a batch of model inputs; differentiable when called in a gradient tape. */
export function embed(fm: FusionModel, inputs: readonly tf.Tensor[], training: boolean): tf.Tensor2D {
  return cachedEmbeddingModel(fm).apply(inputs.length === 1 ? inputs[0] : [...inputs], { training }) as tf.Tensor2D;
}

/** Width of the fused embedding. */
export function embeddingWidth(fm: FusionModel): number {
  const shape = cachedEmbeddingModel(fm).outputs[0].shape;
  return shape[shape.length - 1] as number;
}
