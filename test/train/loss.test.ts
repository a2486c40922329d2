import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers the gradient functions (tfjs-core's node bundle only defines them).
import '@tensorflow/tfjs-layers';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { weightedSigmoidCrossEntropy } from '../../src/train/loss.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

// Top level, not in before(): the tensors below are made while the module loads.
await useCpuBackend();

const x = tf.tensor1d([-3, -0.5, 0, 0.25, 2, 7, -40, 40]);
const y = tf.tensor1d([0, 1, 1, 0, 1, 0, 1, 0]);
const w = tf.tensor1d([1, 2.5, 0.5, 1, 1, 3, 1, 2]);

/** The loss written out in doubles: mean of w·(max(x,0) − x·y + log(1 + e^−|x|)). */
function reference(xs: number[], ys: number[], ws: number[]): { loss: number; grad: number[] } {
  const n = xs.length;
  let loss = 0;
  const grad = xs.map((v, i) => {
    loss += ws[i] * (Math.max(v, 0) - v * ys[i] + Math.log1p(Math.exp(-Math.abs(v))));
    return (ws[i] * (1 / (1 + Math.exp(-v)) - ys[i])) / n;
  });
  return { loss: loss / n, grad };
}

test('weighted sigmoid cross-entropy: value and gradient match the formula, extreme logits included', () => {
  const ref = reference(Array.from(x.dataSync()), Array.from(y.dataSync()), Array.from(w.dataSync()));
  const { value, grads } = tf.valueAndGrads((l: tf.Tensor) => weightedSigmoidCrossEntropy(l as tf.Tensor1D, y, w))([x]);
  // float32 evaluation of terms up to 40 in magnitude: 1e-5 absolute is a few ulps of the largest term.
  assert.ok(Math.abs(value.dataSync()[0] - ref.loss) < 1e-5, `${value.dataSync()[0]} vs ${ref.loss}`);
  const g = grads[0].dataSync();
  g.forEach((v, i) => assert.ok(Number.isFinite(v) && Math.abs(v - ref.grad[i]) < 1e-7, `grad[${i}] ${v} vs ${ref.grad[i]}`));
});

test('weighted sigmoid cross-entropy: the same value bits as the op-by-op formula, and the same gradient to rounding', () => {
  const plain = (l: tf.Tensor) => tf.mean(tf.mul(tf.add(tf.sub(tf.relu(l), tf.mul(l, y)), tf.log1p(tf.exp(tf.neg(tf.abs(l))))), w)) as tf.Scalar;
  const a = tf.valueAndGrads((l: tf.Tensor) => weightedSigmoidCrossEntropy(l as tf.Tensor1D, y, w))([x]);
  const b = tf.valueAndGrads(plain)([x]);
  assert.equal(a.value.dataSync()[0], b.value.dataSync()[0]);
  const ga = a.grads[0].dataSync();
  const gb = b.grads[0].dataSync();
  // σ(x) − y and the chain rule through |x| round differently; both are within float32 rounding.
  ga.forEach((v, i) => assert.ok(Math.abs(v - gb[i]) < 1e-7, `grad[${i}] ${v} vs ${gb[i]}`));
});

test('weighted sigmoid cross-entropy: the gradient reaches the logits only, and sizes must agree', () => {
  const upstream = tf.valueAndGrads((l: tf.Tensor) => tf.mul(weightedSigmoidCrossEntropy(l as tf.Tensor1D, y, w), 3) as tf.Scalar)([x]);
  const base = tf.grads((l: tf.Tensor) => weightedSigmoidCrossEntropy(l as tf.Tensor1D, y, w))([x]);
  upstream.grads[0].dataSync().forEach((v, i) => assert.ok(Math.abs(v - 3 * base[0].dataSync()[i]) < 1e-7, `scaled grad[${i}]`));
  assert.throws(() => weightedSigmoidCrossEntropy(x, tf.zeros([3]) as tf.Tensor1D, w), /8 logits, 3 labels and 8 weights must match/);
});

test('weighted sigmoid cross-entropy: labels and weights built inside the taped function survive to the backward pass', () => {
  const inside = tf.grads((l: tf.Tensor) => weightedSigmoidCrossEntropy(l as tf.Tensor1D, tf.concat([tf.zeros([4]), tf.ones([4])]) as tf.Tensor1D, tf.ones([8])))([x]);
  const outside = tf.grads((l: tf.Tensor) => weightedSigmoidCrossEntropy(l as tf.Tensor1D, tf.tensor1d([0, 0, 0, 0, 1, 1, 1, 1]), tf.ones([8])))([x]);
  assert.deepEqual(inside[0].dataSync(), outside[0].dataSync());
});
