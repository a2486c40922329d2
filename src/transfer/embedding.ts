import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { inputTensors, range, type FusionModel } from '../models/fusion.js';
import type { FeatureSet } from '../preprocess/features.js';

/** Name of the fusion model's fused-embedding layer, the one just before the logit. */
export const EMBEDDING_LAYER = 'head_dense';

const cache = new WeakMap<tfl.LayersModel, tfl.LayersModel>();

/** A model sharing the fusion net's layers (and weights) whose output is the fused embedding. */
export function embeddingModel(fm: FusionModel): tfl.LayersModel {
  let m = cache.get(fm.net);
  if (!m) {
    m = tfl.model({ inputs: fm.net.inputs, outputs: fm.net.getLayer(EMBEDDING_LAYER).output as tfl.SymbolicTensor });
    cache.set(fm.net, m);
  }
  return m;
}

/** Fused embeddings [batch, width] of a batch of model inputs; differentiable when called in a gradient tape. */
export function embed(fm: FusionModel, inputs: readonly tf.Tensor[], training: boolean): tf.Tensor2D {
  const m = embeddingModel(fm);
  return m.apply(inputs.length === 1 ? inputs[0] : [...inputs], { training }) as tf.Tensor2D;
}

/** Fused embeddings of every row of a feature set, as a row-major array with its width. */
export function embedAll(fm: FusionModel, fs: FeatureSet, batchSize = 256): { data: Float32Array; dim: number } {
  const chunks: Float32Array[] = [];
  let dim = 0;
  for (let start = 0; start < fs.n; start += batchSize) {
    const inputs = inputTensors(fm, fs, range(start, Math.min(fs.n, start + batchSize)));
    const e = tf.tidy(() => embed(fm, inputs, false));
    dim = e.shape[1];
    chunks.push(e.dataSync() as Float32Array);
    tf.dispose([e, ...inputs]);
  }
  const data = new Float32Array(fs.n * dim);
  let off = 0;
  for (const c of chunks) {
    data.set(c, off);
    off += c.length;
  }
  return { data, dim };
}
