import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { gatherIntRows, gatherRows as gather, isPresent, type FeatureSet } from '../preprocess/features.js';
import { Rng } from '../util/random.js';
import { imageEncoder, inputSlots, orderedModalities, tabularEncoder, textEncoder, type EncoderOutput, type InputSlot } from './encoders.js';
import { LateCombineLayer, ModalityFusion } from './fusion-layers.js';
import { layerGroup, usesMasks, type LayerGroup, type ModelSpec } from './spec.js';

type Sym = tfl.SymbolicTensor;

/** A built fusion model: the TF.js graph plus the spec it came from. It outputs one logit per sample. */
export interface FusionModel {
  readonly spec: ModelSpec;
  readonly net: tfl.LayersModel;
}

/** Short layer-name tag per modality, matching the layer-group prefixes. */
const TAG = { image: 'img', tabular: 'tab', text: 'txt' } as const;

/**
 * Builds a fusion model with seeded initial weights. Early and intermediate fusion (and late fusion of one
 * modality) have a layer `head_dense` whose output is the fused embedding; late fusion of several has one
 * `head_<img|tab|txt>_dense` per modality (embeddingModel joins them). `head_logit` gives one logit per sample.
 * - early: raw per-modality features (image average-pooled to a small grid) concatenated into one MLP;
 * - intermediate: per-modality encoders joined by concatenation or per-modality sigmoid gates, then an MLP head;
 * - late: a head per modality, logits combined by softmax-normalised learned weights or by stacking.
 */
export function buildFusionModel(spec: ModelSpec, seed: number): FusionModel {
  if (spec.modalities.length === 0) throw new Error('model spec needs at least one modality');
  const p = spec.modalityDropout ?? 0;
  if (!(p >= 0 && p < 1)) throw new Error(`model spec modalityDropout must be in [0, 1), got ${p}`);
  const fusion = spec.fusion ?? 'intermediate';
  const rng = new Rng(`model:${seed}`);
  const seeds = () => rng.seedInt();
  const masked = usesMasks(spec);
  const slots = inputSlots(spec, masked);
  const inputs = slots.map((s) => tfl.input({ shape: [...s.shape], name: s.name }));
  const byName = new Map(slots.map((s, i) => [s.name, inputs[i]]));
  const early = fusion === 'early';
  const encoded: EncoderOutput[] = orderedModalities(spec).map((m) => {
    if (m === 'image') return imageEncoder(spec, byName.get('img_input')!, seeds, early);
    if (m === 'tabular') return tabularEncoder(spec, inputs.filter((_, i) => slots[i].source === 'tabular' || slots[i].source === 'categorical'), seeds, early);
    return textEncoder(spec, byName.get('txt_input')!, seeds, early);
  });
  const mask = byName.get('mask_input');
  const blocks = encoded.map((e) => (early ? e.raw! : e.embedding!));
  const logit = fusion === 'late' ? lateHead(spec, blocks, mask, seeds) : joinedHead(spec, blocks, encoded, mask, seeds, early);
  return { spec, net: tfl.model({ inputs, outputs: logit, name: 'medtl_fusion' }) };
}

function joinedHead(spec: ModelSpec, blocks: Sym[], encoded: EncoderOutput[], mask: Sym | undefined, seeds: () => number, early: boolean): Sym {
  const join = spec.join ?? 'concat';
  const p = spec.modalityDropout ?? 0;
  let h: Sym;
  if (mask || join === 'gated' || p > 0) {
    const layer = new ModalityFusion({ name: 'head_fusion', sizes: encoded.map((e) => e.width), join, dropout: p, masking: mask !== undefined, seed: seeds() });
    h = layer.apply(mask ? [...blocks, mask] : blocks) as Sym;
  } else {
    // The plain join keeps the original layer layout, so models built before fusion options existed are unchanged.
    h = blocks.length > 1 ? (tfl.layers.concatenate({ name: 'head_concat' }).apply(blocks) as Sym) : blocks[0];
  }
  if (early) {
    spec.tabularHidden.forEach((units, i) => {
      h = tfl.layers.dense({ units, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seeds() }), name: `head_early${i + 1}` }).apply(h) as Sym;
    });
  }
  h = tfl.layers.dense({ units: spec.headHidden, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seeds() }), name: 'head_dense' }).apply(h) as Sym;
  return tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds() }), name: 'head_logit' }).apply(h) as Sym;
}

function lateHead(spec: ModelSpec, embeddings: Sym[], mask: Sym | undefined, seeds: () => number): Sym {
  const mods = orderedModalities(spec);
  const single = mods.length === 1;
  const hidden = embeddings.map(
    (e, i) =>
      tfl.layers
        .dense({ units: spec.headHidden, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seeds() }), name: single ? 'head_dense' : `head_${TAG[mods[i]]}_dense` })
        .apply(e) as Sym,
  );
  const logits = hidden.map(
    (h, i) => tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: seeds() }), name: `head_${TAG[mods[i]]}_logit` }).apply(h) as Sym,
  );
  const combine = new LateCombineLayer({
    name: 'head_logit',
    k: mods.length,
    mode: spec.lateCombine ?? 'weights',
    dropout: spec.modalityDropout ?? 0,
    masking: mask !== undefined,
    seed: seeds(),
  });
  return combine.apply(mask ? [...logits, mask] : logits) as Sym;
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

/** The model's inputs, in net order. */
export function modelInputSlots(fm: FusionModel): InputSlot[] {
  return inputSlots(fm.spec, usesMasks(fm.spec));
}

function rowFloats(slot: InputSlot): number {
  return slot.shape.reduce((a, b) => a * b, 1);
}

function checkWidth(slot: InputSlot, got: number, field: string): void {
  const want = rowFloats(slot);
  if (got !== want) throw new Error(`model input '${slot.name}' takes ${want} values per row, feature set '${field}' has ${got}`);
}

/** Builds the model's input tensors for rows `indices` of a feature set, optionally transforming the image block first. Caller disposes them. */
export function inputTensors(
  fm: FusionModel,
  fs: FeatureSet,
  indices: readonly number[],
  imageTransform?: (data: Float32Array, n: number, shape: readonly [number, number, number]) => void,
): tf.Tensor[] {
  const b = indices.length;
  return modelInputSlots(fm).map((slot) => {
    const shape = [b, ...slot.shape];
    switch (slot.source) {
      case 'image': {
        if (!fs.image) throw new Error('model needs images but the feature set has none');
        const [h, w, c] = fs.image.shape;
        checkWidth(slot, h * w * c, 'image');
        const block = gather(fs.image.data, h * w * c, indices);
        imageTransform?.(block, b, fs.image.shape);
        return tf.tensor(block, shape);
      }
      case 'volume': {
        if (!fs.volume) throw new Error('model needs volumes (cnn3d encoder) but the feature set has none');
        const size = fs.volume.shape.reduce((a, v) => a * v, 1);
        checkWidth(slot, size, 'volume');
        return tf.tensor(gather(fs.volume.data, size, indices), shape);
      }
      case 'imageEmbedding':
      case 'tabular':
      case 'text': {
        const block = fs[slot.source];
        if (!block) throw new Error(`model needs '${slot.source}' features but the feature set has none`);
        checkWidth(slot, block.dim, slot.source);
        return tf.tensor(gather(block.data, block.dim, indices), shape);
      }
      case 'categorical': {
        const cat = fs.categorical;
        if (!cat) throw new Error('model embeds categorical columns but the feature set has no categorical block (fit the tabular preprocessor with categorical: embedding)');
        const k = cat.columns.length;
        const rows = gatherIntRows(cat.data, k, indices);
        return tf.tensor(Float32Array.from({ length: b }, (_, r) => rows[r * k + slot.column!]), shape);
      }
      case 'mask': {
        const mods = orderedModalities(fm.spec);
        const m = new Float32Array(b * mods.length);
        indices.forEach((row, r) => mods.forEach((mod, j) => (m[r * mods.length + j] = isPresent(fs, mod, row))));
        return tf.tensor(m, shape);
      }
    }
  });
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
