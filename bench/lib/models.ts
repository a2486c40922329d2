// The two fixed models of `npm run bench:speed` (mlp_train, cnn_train), shared by the timing worker
// and the profiler so both measure the same networks. The reference scripts build the same ones.
import * as tfl from '@tensorflow/tfjs-layers';

const init = (seed: number) => tfl.initializers.glorotUniform({ seed });

/** Dense 1024-512-256-2 with ReLU (mlp_train). */
export function benchMlp(): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ inputShape: [1024], units: 512, activation: 'relu', kernelInitializer: init(1) }));
  m.add(tfl.layers.dense({ units: 256, activation: 'relu', kernelInitializer: init(2) }));
  m.add(tfl.layers.dense({ units: 2, kernelInitializer: init(3) }));
  return m;
}

/** 64x64x1 input, conv 3x3 16, pool 2, conv 3x3 32, pool 2, flatten, dense 1 (cnn_train). */
export function benchCnn(): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [64, 64, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 1, kernelInitializer: init(3) }));
  return m;
}
