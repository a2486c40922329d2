import * as tf from '@tensorflow/tfjs-core';
import { initCompute } from '../../src/compute/backend.js';
const t0 = performance.now();
const info = await initCompute({ threads: process.argv[2] ? Number(process.argv[2]) : undefined });
console.log(info, performance.now() - t0);
console.log(await initCompute() === info);
const a = tf.randomNormal([512, 1024]); const b = tf.randomNormal([1024, 512]);
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now();
  for (let i = 0; i < 20; i++) tf.tidy(() => tf.matMul(a, b, false, false)).dataSync();
  console.log('matmul ms', (performance.now() - t) / 20);
}
