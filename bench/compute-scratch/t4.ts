import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
await tf.setBackend(process.argv[2] ?? 'wasm');
const a = tf.randomNormal([512, 1024]); const b = tf.randomNormal([1024, 512]);
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now();
  for (let i = 0; i < 20; i++) tf.tidy(() => tf.matMul(a, b)).dataSync();
  console.log('matmul 512x1024x512 ms', (performance.now() - t) / 20);
}
const x = tf.randomNormal([32, 64, 64, 8]); const f = tf.randomNormal([3, 3, 8, 16]);
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now();
  for (let i = 0; i < 10; i++) tf.tidy(() => tf.conv2d(x, f, 1, 'same')).dataSync();
  console.log('conv ms', (performance.now() - t) / 10);
}
