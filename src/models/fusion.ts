import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { gatherRows as gather, type FeatureSet } from '../preprocess/features.js';
import { Rng } from '../util/random.js';
import { layerGroup, type LayerGroup, type ModelSpec } from './spec.js';

/** A built fusion model: the TF.js graph plus the spec it came from. It outputs one logit per sample. */
export interface FusionModel {
  readonly spec: ModelSpec;
  readonly net: tfl.LayersModel;
}

/** Builds an intermediate-fusion model (CNN image encoder, MLP tabular encoder, concat, MLP head) with seeded initial weights. */
export function buildFusionModel(spec: ModelSpec, seed: number): FusionModel {
  if (spec.modalities.length === 0) throw new Error('model spec needs at least one modality');
  const rng = new Rng(`model:${seed}`);
  const he = () => tfl.initializers.heNormal({ seed: rng.seedInt() });
  const glorot = () => tfl.initializers.glorotUniform({ seed: rng.seedInt() });
  const inputs: tfl.SymbolicTensor[] = [];
  const embeddings: tfl.SymbolicTensor[] = [];
  if (spec.modalities.includes('image')) {
    if (!spec.imageShape) throw new Error('model spec has the image modality but no imageShape');
    const input = tfl.input({ shape: [...spec.imageShape], name: 'img_input' });
    let x: tfl.SymbolicTensor = input;
    spec.imageFilters.forEach((filters, i) => {
      x = tfl.layers
        .conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: he(), name: `img_conv${i + 1}` })
        .apply(x) as tfl.SymbolicTensor;
      x = tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `img_pool${i + 1}` }).apply(x) as tfl.SymbolicTensor;
    });
    const pool =
      spec.imagePooling === 'flatten'
        ? tfl.layers.flatten({ name: 'img_flatten' })
        : spec.imagePooling === 'max'
          ? tfl.layers.globalMaxPooling2d({ name: 'img_gmp' })
          : tfl.layers.globalAveragePooling2d({ name: 'img_gap' });
    x = pool.apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.dense({ units: spec.imageEmbed, activation: 'relu', kernelInitializer: he(), name: 'img_embed' }).apply(x) as tfl.SymbolicTensor;
    inputs.push(input);
    embeddings.push(x);
  }
  if (spec.modalities.includes('tabular')) {
    if (!spec.tabularDim) throw new Error('model spec has the tabular modality but no tabularDim');
    const input = tfl.input({ shape: [spec.tabularDim], name: 'tab_input' });
    let x: tfl.SymbolicTensor = input;
    spec.tabularHidden.forEach((units, i) => {
      x = tfl.layers.dense({ units, activation: 'relu', kernelInitializer: he(), name: `tab_dense${i + 1}` }).apply(x) as tfl.SymbolicTensor;
    });
    inputs.push(input);
    embeddings.push(x);
  }
  let h = embeddings.length > 1 ? (tfl.layers.concatenate({ name: 'head_concat' }).apply(embeddings) as tfl.SymbolicTensor) : embeddings[0];
  h = tfl.layers.dense({ units: spec.headHidden, activation: 'relu', kernelInitializer: he(), name: 'head_dense' }).apply(h) as tfl.SymbolicTensor;
  const logit = tfl.layers.dense({ units: 1, kernelInitializer: glorot(), name: 'head_logit' }).apply(h) as tfl.SymbolicTensor;
  return { spec, net: tfl.model({ inputs, outputs: logit, name: 'medtl_fusion' }) };
}

/** The trainable variables of the given layer groups. */
export function groupVariables(fm: FusionModel, groups: readonly LayerGroup[]): tf.Variable[] {
  const vars: tf.Variable[] = [];
  for (const layer of fm.net.layers) {
    if (!groups.includes(layerGroup(layer.name))) continue;
    // LayerVariable wraps a core tf.Variable; the optimizer needs the core one.
    for (const w of layer.trainableWeights) vars.push((w as unknown as { val: tf.Variable }).val);
  }
  return vars;
}

/** The kernel (weight-matrix) variables of the model, which weight decay applies to. */
export function kernelVariables(fm: FusionModel, groups: readonly LayerGroup[]): tf.Variable[] {
  const vars: tf.Variable[] = [];
  for (const layer of fm.net.layers) {
    if (!groups.includes(layerGroup(layer.name))) continue;
    // Kernels are the rank >= 2 weights; names are no guide since TF.js suffixes them (kernel_1) per model.
    for (const w of layer.trainableWeights) if (w.shape.length >= 2) vars.push((w as unknown as { val: tf.Variable }).val);
  }
  return vars;
}

/** Builds the model's input tensors for rows `indices` of a feature set, optionally transforming the image block first. Caller disposes them. */
export function inputTensors(
  fm: FusionModel,
  fs: FeatureSet,
  indices: readonly number[],
  imageTransform?: (data: Float32Array, n: number, shape: readonly [number, number, number]) => void,
): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  const b = indices.length;
  for (const m of fm.spec.modalities) {
    if (m === 'image') {
      if (!fs.image) throw new Error('model needs images but the feature set has none');
      const [h, w, c] = fs.image.shape;
      const block = gather(fs.image.data, h * w * c, indices);
      imageTransform?.(block, b, fs.image.shape);
      out.push(tf.tensor4d(block, [b, h, w, c]));
    } else if (m === 'tabular') {
      if (!fs.tabular) throw new Error('model needs tabular features but the feature set has none');
      out.push(tf.tensor2d(gather(fs.tabular.data, fs.tabular.dim, indices), [b, fs.tabular.dim]));
    }
  }
  return out;
}

/** Forward pass to logits, shape [batch]. */
export function forwardLogits(fm: FusionModel, inputs: tf.Tensor[], training: boolean): tf.Tensor1D {
  const y = fm.net.apply(inputs.length === 1 ? inputs[0] : inputs, { training }) as tf.Tensor;
  return tf.reshape(y, [-1]) as tf.Tensor1D;
}

/** Predicted probabilities for every row of a feature set, computed in batches. */
export function predictProba(fm: FusionModel, fs: FeatureSet, batchSize = 256): Float32Array {
  const out = new Float32Array(fs.n);
  for (let start = 0; start < fs.n; start += batchSize) {
    const idx = range(start, Math.min(fs.n, start + batchSize));
    const inputs = inputTensors(fm, fs, idx);
    const p = tf.tidy(() => tf.sigmoid(forwardLogits(fm, inputs, false)));
    out.set(p.dataSync() as Float32Array, start);
    p.dispose();
    tf.dispose(inputs);
  }
  return out;
}

/** Integers [lo, hi). */
export function range(lo: number, hi: number): number[] {
  return Array.from({ length: hi - lo }, (_, i) => lo + i);
}
