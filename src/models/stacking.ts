import * as tf from '@tensorflow/tfjs-core';
import type { Sample } from '../data/types.js';
import { isPresent, type FeatureSet } from '../preprocess/features.js';
import { subModel } from './embedding.js';
import { orderedModalities } from './encoders.js';
import { inputTensors, range, type FusionModel } from './fusion.js';

const TAG = { image: 'img', tabular: 'tab', text: 'txt' } as const;

/** Per-modality logits of a late-fusion model, row-major [n, k] in canonical modality order, zero where the modality is absent. */
export function lateModalityLogits(fm: FusionModel, fs: FeatureSet, batchSize = 256): { k: number; data: Float32Array } {
  if ((fm.spec.fusion ?? 'intermediate') !== 'late') throw new Error('per-modality logits exist only in late-fusion models');
  const mods = orderedModalities(fm.spec);
  const net = subModel(fm, mods.map((m) => `head_${TAG[m]}_logit`));
  const k = mods.length;
  const data = new Float32Array(fs.n * k);
  for (let start = 0; start < fs.n; start += batchSize) {
    const idx = range(start, Math.min(fs.n, start + batchSize));
    const inputs = inputTensors(fm, fs, idx);
    const out = net.predict(inputs.length === 1 ? inputs[0] : inputs) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(out) ? out : [out];
    list.forEach((t, j) => {
      const v = t.dataSync();
      idx.forEach((row, r) => (data[row * k + j] = v[r] * isPresent(fs, mods[j], row)));
    });
    tf.dispose([...list, ...inputs]);
  }
  return { k, data };
}

/**
 * Stacking for late fusion: fits a logistic regression of the labels on the per-modality logits of
 * `val` (held-out data, never the data the heads were trained on) and writes its coefficients into
 * the combination layer. Returns the coefficients and intercept.
 */
export function fitLateStacking(fm: FusionModel, val: FeatureSet, l2 = 1e-2): { coef: number[]; intercept: number } {
  if ((fm.spec.lateCombine ?? 'weights') !== 'stacking') throw new Error("fitLateStacking needs a late-fusion model with lateCombine 'stacking'");
  if (val.n === 0) throw new Error('fitLateStacking: the validation set is empty');
  const { k, data } = lateModalityLogits(fm, val);
  const w = logisticRegression(data, val.labels, k, l2);
  const layer = fm.net.getLayer('head_logit');
  layer.setWeights([tf.tensor1d(w.slice(0, k)), tf.tensor1d([w[k]])]);
  return { coef: w.slice(0, k), intercept: w[k] };
}

/**
 * L2-penalised logistic regression by Newton's method on [n, k] features plus an unpenalised
 * intercept; returns k coefficients followed by the intercept. The penalty keeps the fit finite
 * when a small validation set is separable.
 */
export function logisticRegression(x: Float32Array, y: Float32Array, k: number, l2: number, iterations = 50): number[] {
  const n = y.length;
  const d = k + 1;
  const w = new Array<number>(d).fill(0);
  for (let it = 0; it < iterations; it++) {
    const grad = new Array<number>(d).fill(0);
    const hess = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let i = 0; i < n; i++) {
      let z = w[k];
      for (let j = 0; j < k; j++) z += w[j] * x[i * k + j];
      const p = 1 / (1 + Math.exp(-z));
      const r = p - y[i];
      const s = Math.max(p * (1 - p), 1e-9);
      const row = (j: number) => (j === k ? 1 : x[i * k + j]);
      for (let a = 0; a < d; a++) {
        grad[a] += r * row(a);
        for (let c = 0; c < d; c++) hess[a][c] += s * row(a) * row(c);
      }
    }
    for (let j = 0; j < k; j++) {
      grad[j] += l2 * n * w[j];
      hess[j][j] += l2 * n;
    }
    const step = solve(hess, grad);
    let maxStep = 0;
    for (let j = 0; j < d; j++) {
      w[j] -= step[j];
      maxStep = Math.max(maxStep, Math.abs(step[j]));
    }
    if (maxStep < 1e-10) break;
  }
  return w;
}

/** Solves a small symmetric positive-definite system by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    const d = m[c][c] || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / d;
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => row[n] / (m[i][i] || 1e-12));
}

/**
 * Fits the stacking combination of a late-fusion model with lateCombine 'stacking' on held-out samples,
 * and does nothing for any other model, so a pipeline can call it after every strategy.
 */
export function fitStackingOnValidation(fm: FusionModel, pre: { transform(samples: readonly Sample[]): FeatureSet }, val: readonly Sample[]): void {
  if ((fm.spec.fusion ?? 'intermediate') !== 'late' || (fm.spec.lateCombine ?? 'weights') !== 'stacking' || val.length === 0) return;
  fitLateStacking(fm, pre.transform(val));
}
