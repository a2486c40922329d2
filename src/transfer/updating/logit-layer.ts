import * as tf from '@tensorflow/tfjs-core';
import { subModel } from '../../models/embedding.js';
import { inputTensors, range, type FusionModel } from '../../models/fusion.js';
import type { FeatureSet } from '../../preprocess/features.js';
import { cloneModel } from '../model-ops.js';
import type { LogitWeights } from './updates.js';

const LOGIT = 'head_logit';
const PENULTIMATE = 'head_dense';

/**
 * Throws, naming the strategy and the fusion type, unless the model ends in one dense logit layer fed by
 * `head_dense` (early and intermediate fusion); late fusion combines per-modality logits instead.
 */
export function requireLogitLayer(fm: FusionModel, strategy: string): void {
  const fusion = fm.spec.fusion ?? 'intermediate';
  if (fusion === 'late') {
    throw new Error(`${strategy} updates the model's single logit layer, but fusion 'late' combines one logit per modality (head_logit is a combining layer); use early or intermediate fusion`);
  }
  const names = new Set(fm.net.layers.map((l) => l.name));
  const shapes = names.has(LOGIT) ? fm.net.getLayer(LOGIT).getWeights().map((w) => w.shape) : [];
  if (!names.has(PENULTIMATE) || shapes.length !== 2 || shapes[0].length !== 2 || shapes[0][1] !== 1) {
    throw new Error(`${strategy} needs a dense '${LOGIT}' layer of one unit fed by '${PENULTIMATE}' (fusion '${fusion}' model has none)`);
  }
}

/** The logit layer's kernel and bias, as float64. */
export function readLogitWeights(fm: FusionModel): LogitWeights {
  const [kernel, bias] = fm.net.getLayer(LOGIT).getWeights();
  return { w: Float64Array.from(kernel.dataSync()), b: bias.dataSync()[0] };
}

/** A copy of the model whose logit layer has the given weights; the model passed in is left unchanged. */
export function withLogitWeights(fm: FusionModel, weights: LogitWeights, seed: number): FusionModel {
  const copy = cloneModel(fm, seed);
  const layer = copy.net.getLayer(LOGIT);
  const [kernel, bias] = layer.getWeights();
  const next = [tf.tensor(Float32Array.from(weights.w), kernel.shape), tf.tensor(Float32Array.of(weights.b), bias.shape)];
  layer.setWeights(next);
  tf.dispose(next);
  return copy;
}

/** The penultimate (`head_dense`) features of every row of a feature set, row-major [n, p] float64. */
export function penultimateFeatures(fm: FusionModel, fs: FeatureSet, batchSize = 256): { p: number; h: Float64Array } {
  return layerFeatures(fm, fs, PENULTIMATE, batchSize);
}

/** The outputs of one named (flat-output) layer of the model for every row of a feature set, row-major [n, p] float64. */
export function layerFeatures(fm: FusionModel, fs: FeatureSet, layer: string, batchSize = 256): { p: number; h: Float64Array } {
  const net = subModel(fm, [layer]);
  const p = net.outputs[0].shape[1] as number;
  const h = new Float64Array(fs.n * p);
  for (let start = 0; start < fs.n; start += batchSize) {
    const inputs = inputTensors(fm, fs, range(start, Math.min(fs.n, start + batchSize)));
    const out = net.predict(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor;
    h.set(out.dataSync(), start * p);
    tf.dispose([out, ...inputs]);
  }
  return { p, h };
}
