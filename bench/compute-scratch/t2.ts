import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
const be = process.argv[2] ?? 'wasm';
await tf.setBackend(be);
// record kernels called
const used = new Set<string>();
const origRun = (tf.engine() as any).runKernel.bind(tf.engine());
(tf.engine() as any).runKernel = (name: string, ...r: any[]) => { used.add(name); return origRun(name, ...r); };
const S = 32;
function build(variant: string) {
  const m = tfl.sequential();
  if (variant === 'pool') {
    m.add(tfl.layers.conv2d({ inputShape: [S, S, 1], filters: 8, kernelSize: 3, activation: 'relu', padding: 'same' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.flatten());
  } else {
    m.add(tfl.layers.conv2d({ inputShape: [S, S, 1], filters: 8, kernelSize: 3, strides: 2, activation: 'relu', padding: 'same' }));
    m.add(tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, activation: 'relu' }));
    m.add(tfl.layers.globalAveragePooling2d({}));
  }
  m.add(tfl.layers.dropout({ rate: 0.2 }));
  m.add(tfl.layers.dense({ units: 1, activation: 'sigmoid' }));
  return m;
}
for (const v of ['pool', 'stride']) {
  const m = build(v);
  const opt = tf.train.adam(1e-3);
  const x = tf.randomNormal([8, S, S, 1]);
  const y = tf.cast(tf.greater(tf.randomUniform([8, 1]), 0.5), 'float32');
  const vars = m.trainableWeights.map(w => (w as any).val as tf.Variable);
  for (let i = 0; i < 3; i++) {
    try {
      const l = opt.minimize(() => {
        const p = m.apply(x, { training: true }) as tf.Tensor;
        return tf.mean(tfl.metrics.binaryCrossentropy(y, p) as tf.Tensor) as tf.Scalar;
      }, true, vars);
      console.log(v, i, l!.dataSync()[0]); l!.dispose();
    } catch (e) { console.log(v, 'ERR', (e as Error).message); break; }
  }
}
console.log([...used].sort().join(' '));
