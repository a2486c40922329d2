import * as tf from '@tensorflow/tfjs-core';
import type { FusionModel } from '../../src/models/fusion.js';

/** Each weighted layer's weights as flat copies, by layer name. */
export function layerWeights(fm: FusionModel): Map<string, Float32Array[]> {
  return new Map(fm.net.layers.filter((l) => l.trainableWeights.length > 0).map((l) => [l.name, l.getWeights().map((w) => Float32Array.from(w.dataSync()))]));
}

/** Root-mean-square per-parameter change of one layer between two snapshots. */
export function rmsChange(before: Map<string, Float32Array[]>, after: Map<string, Float32Array[]>, layer: string): number {
  const a = before.get(layer)!;
  const b = after.get(layer)!;
  let sum = 0;
  let n = 0;
  a.forEach((w, i) => w.forEach((v, j) => ((sum += (b[i][j] - v) ** 2), n++)));
  return Math.sqrt(sum / n);
}

/** Whether every weight of the layer is bit-identical in both snapshots. */
export function unchanged(before: Map<string, Float32Array[]>, after: Map<string, Float32Array[]>, layer: string): boolean {
  const a = before.get(layer)!;
  const b = after.get(layer)!;
  return a.every((w, i) => w.every((v, j) => Object.is(v, b[i][j])));
}

/** Copies of every registered TF.js variable's values, by variable name (a whole-process snapshot). */
export function variableSnapshot(): Map<string, Float32Array> {
  const vars = tf.engine().registeredVariables;
  return new Map(Object.keys(vars).map((name) => [name, Float32Array.from(vars[name].dataSync())]));
}
