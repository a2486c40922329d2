import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { FeatureSet } from '../preprocess/features.js';
import { inputTensors, range, type FusionModel } from './fusion.js';

/**
 * A model sharing the fusion model's weights that outputs the fused embedding instead of the logit: the
 * `head_dense` layer, or for late fusion of several modalities their `head_*_dense` layers side by side.
 */
export function embeddingModel(fm: FusionModel): tfl.LayersModel {
  if (fm.net.layers.some((l) => l.name === 'head_dense')) return subModel(fm, ['head_dense']);
  const heads = fm.net.layers.filter((l) => /^head_(img|tab|txt)_dense$/.test(l.name)).map((l) => l.output as tfl.SymbolicTensor);
  if (heads.length === 0) throw new Error(`model '${fm.net.name}' has no head_dense layer`);
  const joined = tfl.layers.concatenate().apply(heads) as tfl.SymbolicTensor;
  return tfl.model({ inputs: fm.net.inputs, outputs: joined });
}

/** A model sharing the fusion model's weights whose outputs are the named layers' outputs. */
export function subModel(fm: FusionModel, layerNames: readonly string[]): tfl.LayersModel {
  const outputs = layerNames.map((n) => fm.net.getLayer(n).output as tfl.SymbolicTensor);
  return tfl.model({ inputs: fm.net.inputs, outputs: outputs.length === 1 ? outputs[0] : outputs });
}

/** Fused embeddings of every row of a feature set, row-major [n, dim], computed in batches. */
export function embeddingOf(fm: FusionModel, fs: FeatureSet, batchSize = 256): { dim: number; data: Float32Array } {
  const net = embeddingModel(fm);
  const dim = (net.outputs[0].shape[1] as number) ?? 0;
  const data = new Float32Array(fs.n * dim);
  for (let start = 0; start < fs.n; start += batchSize) {
    const idx = range(start, Math.min(fs.n, start + batchSize));
    const inputs = inputTensors(fm, fs, idx);
    const e = net.predict(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor;
    data.set(e.dataSync() as Float32Array, start * dim);
    tf.dispose([e, ...inputs]);
  }
  return { dim, data };
}
