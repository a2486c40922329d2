import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildFusionModel, type FusionModel } from '../../models/fusion.js';
import type { ModelSpec } from '../../models/spec.js';
import { cloneModel } from '../model-ops.js';
import type { LinearLogit } from './l2-logistic.js';

/** Which inputs a baseline logistic regression reads: the record (tabular) vector, the frozen source image embedding, or both. */
export type BaselineFeatures = 'record' | 'image_embedding' | 'both';

/** The source model's image embedding layer, the input of an `image_embedding` logistic regression. */
export const IMAGE_EMBEDDING_LAYER = 'img_embed';

/** Layer of a blended model that mixes the source logit with a target logistic regression. */
export const BLEND_LAYER = 'head_blend';

function setWeights(net: tfl.LayersModel, layer: string, values: readonly { data: ArrayLike<number>; shape: number[] }[]): void {
  const tensors = values.map((v) => tf.tensor(Float32Array.from(v.data), v.shape));
  net.getLayer(layer).setWeights(tensors);
  tf.dispose(tensors);
}

/** Row-major [rows, cols] kernel with ones on the diagonal blocks given by (row offset, col offset, size, sign). */
function blockIdentity(rows: number, cols: number, blocks: readonly (readonly [number, number, number, number])[]): Float32Array {
  const k = new Float32Array(rows * cols);
  for (const [r0, c0, size, sign] of blocks) for (let i = 0; i < size; i++) k[(r0 + i) * cols + c0 + i] = sign;
  return k;
}

/**
 * A fusion model whose logit is exactly x·coef + intercept, x the record vector (width `tabularDim`), the
 * source model's image embedding (copied, frozen encoder weights), or both, image part first. A linear map
 * passes through the standard ReLU layers because relu(x) − relu(−x) = x: `tab_dense1` is [I | −I], the image
 * embedding is already non-negative, `head_dense` is the identity and `head_logit` carries [w_img; w; −w].
 * The spec describes this net, so it saves, loads and predicts like any fusion model.
 */
export function linearFusionModel(parts: { readonly tabularDim?: number; readonly imageFrom?: FusionModel }, m: LinearLogit, seed: number): FusionModel {
  const d = parts.tabularDim ?? 0;
  const src = parts.imageFrom;
  const e = src ? (src.net.getLayer(IMAGE_EMBEDDING_LAYER).outputShape as number[])[1] : 0;
  if (m.coef.length !== e + d) throw new Error(`linear fusion model: ${m.coef.length} coefficients for ${e} image and ${d} record features`);
  if (!src && d === 0) throw new Error('linear fusion model needs record features, an image embedding or both');
  const width = e + 2 * d;
  const base: ModelSpec = src
    ? { ...stripFusionExtras(src.spec), modalities: d > 0 ? ['image', 'tabular'] : ['image'] }
    : { modalities: ['tabular'], imageFilters: [], imagePooling: 'flatten', imageEmbed: 1, tabularHidden: [], headHidden: 1 };
  const spec: ModelSpec = { ...base, fusion: 'intermediate', tabularHidden: d > 0 ? [2 * d] : base.tabularHidden, headHidden: width, ...(d > 0 ? { tabularDim: d } : {}) };
  const fm = buildFusionModel(spec, seed);
  if (src) {
    for (const layer of fm.net.layers) {
      if (layer.name.startsWith('img_') && layer.weights.length > 0) layer.setWeights(src.net.getLayer(layer.name).getWeights());
    }
  }
  if (d > 0) setWeights(fm.net, 'tab_dense1', [{ data: blockIdentity(d, 2 * d, [[0, 0, d, 1], [0, d, d, -1]]), shape: [d, 2 * d] }, { data: new Float32Array(2 * d), shape: [2 * d] }]);
  setWeights(fm.net, 'head_dense', [{ data: blockIdentity(width, width, [[0, 0, width, 1]]), shape: [width, width] }, { data: new Float32Array(width), shape: [width] }]);
  const w = new Float32Array(width);
  for (let j = 0; j < e; j++) w[j] = m.coef[j];
  for (let j = 0; j < d; j++) {
    w[e + j] = m.coef[e + j];
    w[e + d + j] = -m.coef[e + j];
  }
  setWeights(fm.net, 'head_logit', [{ data: w, shape: [width, 1] }, { data: [m.intercept], shape: [1] }]);
  return fm;
}

/** A source spec without the options that would add layers or inputs a linear model does not have. */
function stripFusionExtras(spec: ModelSpec): ModelSpec {
  const { join: _j, lateCombine: _l, modalityDropout: _d, masking: _m, categoricalCardinalities: _c, textDim: _t, textHidden: _h, tabularDim: _x, ...rest } = spec;
  return rest;
}

/**
 * The source model (a copy) with its logit blended with a target logistic regression: logit = α·z_src +
 * (1 − α)·(x·coef + intercept), x the model's own record input (`tab_input`, source preprocessing) and/or its
 * image embedding, image part first. One flat graph of standard layers, so it saves and loads through the
 * normal model bundle; the spec is the source's, as the inputs are.
 */
export function blendedModel(source: FusionModel, parts: { readonly record: boolean; readonly image: boolean }, alpha: number, m: LinearLogit, seed: number): FusionModel {
  const copy = cloneModel(source, seed);
  const z = copy.net.outputs[0];
  const feats: tfl.SymbolicTensor[] = [];
  if (parts.image) feats.push(copy.net.getLayer(IMAGE_EMBEDDING_LAYER).output as tfl.SymbolicTensor);
  if (parts.record) feats.push(copy.net.getLayer('tab_input').output as tfl.SymbolicTensor);
  const width = feats.reduce((s, f) => s + (f.shape[1] as number), 0);
  if (m.coef.length !== width) throw new Error(`blended model: ${m.coef.length} coefficients for ${width} target features`);
  const joined = tfl.layers.concatenate({ name: `${BLEND_LAYER}_concat` }).apply([z, ...feats]) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 1, name: BLEND_LAYER }).apply(joined) as tfl.SymbolicTensor;
  const net = tfl.model({ inputs: copy.net.inputs, outputs: out, name: 'medtl_blend' });
  const kernel = new Float32Array(1 + width);
  kernel[0] = alpha;
  for (let j = 0; j < width; j++) kernel[1 + j] = (1 - alpha) * m.coef[j];
  setWeights(net, BLEND_LAYER, [{ data: kernel, shape: [1 + width, 1] }, { data: [(1 - alpha) * m.intercept], shape: [1] }]);
  return { spec: copy.spec, net };
}
