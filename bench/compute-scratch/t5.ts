import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmPatches } from '../../src/compute/kernels/index.js';
await tf.setBackend('wasm');
console.log(registerWasmPatches());
function onBoth<T extends tf.Tensor>(f: () => T): [Float32Array, Float32Array] {
  tf.setBackend('wasm'); const w = tf.tidy(f); const wv = w.dataSync() as Float32Array; w.dispose();
  tf.setBackend('cpu'); const c = tf.tidy(f); const cv = c.dataSync() as Float32Array; c.dispose();
  tf.setBackend('wasm');
  return [wv, cv];
}
function maxdiff(a: Float32Array, b: Float32Array) { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]-b[i])); return a.length === b.length ? m : -1; }
tf.setBackend('cpu');
const a = tf.randomNormal([5, 7], 0, 1, 'float32', 1); const b = tf.randomNormal([7, 3], 0, 1, 'float32', 2);
const aT = tf.transpose(a); const bT = tf.transpose(b);
const mk = (t: tf.Tensor) => { const d = t.dataSync(); const s = t.shape; return () => tf.tensor(d, s); };
const A = mk(a), B = mk(b), AT = mk(aT), BT = mk(bT);
console.log('mm', maxdiff(...onBoth(() => tf.matMul(A(), B()))));
console.log('mmTA', maxdiff(...onBoth(() => tf.matMul(AT(), B(), true, false))));
console.log('mmTB', maxdiff(...onBoth(() => tf.matMul(A(), BT(), false, true))));
console.log('mmTT', maxdiff(...onBoth(() => tf.matMul(AT(), BT(), true, true))));
const a3 = mk(tf.randomNormal([4, 5, 7], 0, 1, 'float32', 3)); const b3 = mk(tf.randomNormal([4, 7, 3], 0, 1, 'float32', 4));
console.log('bmm', maxdiff(...onBoth(() => tf.matMul(a3(), b3()))));
console.log('bmm fold', maxdiff(...onBoth(() => tf.matMul(a3(), B()))));
console.log('bmm bcastA', maxdiff(...onBoth(() => tf.matMul(A(), b3()))));
for (const [H, C, OC, k, s, pad] of [[9, 3, 4, 3, 1, 'same'], [10, 2, 5, 3, 2, 'valid'], [11, 1, 3, 5, 2, 'same'], [8, 4, 2, 2, 3, 'valid'], [7,3,2,3,2,1]] as const) {
  const x = mk(tf.randomNormal([3, H, H + 1, C], 0, 1, 'float32', 5));
  const f = mk(tf.randomNormal([k, k, C, OC], 0, 1, 'float32', 6));
  const y = tf.conv2d(x(), f(), s, pad as 'same');
  const dy = mk(tf.randomNormal(y.shape, 0, 1, 'float32', 7));
  console.log('dW', H, C, OC, k, s, pad, maxdiff(...onBoth(() => tf.engine().runKernel('Conv2DBackpropFilter', {x: x(), dy: dy()}, {strides: s, pad, dataFormat: 'NHWC', filterShape: [k, k, C, OC]} as any) as tf.Tensor)));
  console.log('dX', H, C, OC, k, s, pad, maxdiff(...onBoth(() => tf.engine().runKernel('Conv2DBackpropInput', {dy: dy(), filter: f()}, {strides: s, pad, dataFormat: 'NHWC', inputShape: x().shape} as any) as tf.Tensor)));
}
