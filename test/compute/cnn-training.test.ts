import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Rng } from '../../src/util/random.js';
import { assertClose, onBoth, useWasm, wasmDataIds } from './helpers.js';

type Variant = 'pool-flatten' | 'stride-gap';
const SIZE = 16;
const BATCH = 8;

/** A small seeded CNN covering every gradient kernel the fixes touch. */
function buildModel(variant: Variant): tfl.LayersModel {
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const m = tfl.sequential();
  if (variant === 'pool-flatten') {
    m.add(tfl.layers.conv2d({ inputShape: [SIZE, SIZE, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: init(2) }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.flatten());
  } else {
    m.add(tfl.layers.conv2d({ inputShape: [SIZE, SIZE, 1], filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(1) }));
    m.add(tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: init(2) }));
    m.add(tfl.layers.globalAveragePooling2d({}));
  }
  m.add(tfl.layers.dense({ units: 8, activation: 'relu', kernelInitializer: init(3) }));
  m.add(tfl.layers.dropout({ rate: 0.25, seed: 4 }));
  m.add(tfl.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(5) }));
  return m;
}

/** Seeded images whose label shifts the brightness of a central square, so the task is learnable. */
function data(seed: number): { x: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  const x = new Float32Array(BATCH * SIZE * SIZE);
  const y = new Float32Array(BATCH);
  for (let n = 0; n < BATCH; n++) {
    y[n] = n % 2;
    for (let i = 0; i < SIZE; i++) {
      for (let j = 0; j < SIZE; j++) {
        const centre = i >= 4 && i < 12 && j >= 4 && j < 12;
        x[(n * SIZE + i) * SIZE + j] = rng.normal(centre && y[n] === 1 ? 1.5 : 0, 0.5);
      }
    }
  }
  return { x, y };
}

function variables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
}

function lossFn(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): () => tf.Scalar {
  return () => tf.mean(tfl.metrics.binaryCrossentropy(y, model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar;
}

/** Trains for `steps` Adam steps and returns the loss before each step plus tensor counts after each. */
function train(variant: Variant, steps: number): { losses: number[]; tensors: number[]; arrays: number[] } {
  const model = buildModel(variant);
  const d = data(11);
  const x = tf.tensor4d(d.x, [BATCH, SIZE, SIZE, 1]);
  const y = tf.tensor2d(d.y, [BATCH, 1]);
  const opt = tf.train.adam(0.01);
  const vars = variables(model);
  const losses: number[] = [];
  const tensors: number[] = [];
  const arrays: number[] = [];
  for (let i = 0; i < steps; i++) {
    const cost = opt.minimize(lossFn(model, x, y), true, vars)!;
    losses.push(cost.dataSync()[0]);
    cost.dispose();
    tensors.push(tf.memory().numTensors);
    arrays.push(wasmDataIds());
  }
  opt.dispose();
  model.dispose();
  tf.dispose([x, y]);
  return { losses, tensors, arrays };
}

describe('small CNN training on wasm', () => {
  before(useWasm);

  for (const variant of ['pool-flatten', 'stride-gap'] as const) {
    it(`${variant}: loss falls, runs repeat exactly, and nothing leaks`, () => {
      const first = train(variant, 10);
      const second = train(variant, 10);
      assert.deepEqual(second.losses, first.losses, 'same seeds must give the same losses');
      assert.ok(first.losses.every(Number.isFinite));
      assert.ok(
        first.losses[first.losses.length - 1] < 0.8 * first.losses[0],
        `loss should fall by 20% in 10 steps: ${first.losses.map((l) => l.toFixed(4)).join(' ')}`,
      );
      // Adam creates its slot variables on the first step; from the second step on the counts
      // must not move, both as tfjs-core sees them and as the wasm heap holds them.
      assert.deepEqual(new Set(first.tensors.slice(1)).size, 1, `numTensors: ${first.tensors.join(' ')}`);
      assert.deepEqual(new Set(first.arrays.slice(1)).size, 1, `wasm arrays: ${first.arrays.join(' ')}`);
    });

    it(`${variant}: every parameter gradient matches cpu`, () => {
      const d = data(23);
      const nVars = buildModel(variant).trainableWeights.length;
      for (let v = 0; v < nVars; v++) {
        // Sums over at most a few hundred products per element, as in the kernel tests.
        assertClose(
          onBoth(() => {
            // A fresh model per backend: its weights are seeded, so both start identical.
            const model = buildModel(variant);
            const x = tf.tensor4d(d.x, [BATCH, SIZE, SIZE, 1]);
            const y = tf.tensor2d(d.y, [BATCH, 1]);
            // training: false keeps dropout out of the comparison (its mask is drawn per backend).
            const loss = () => tf.mean(tfl.metrics.binaryCrossentropy(y, model.apply(x, { training: false }) as tf.Tensor)) as tf.Scalar;
            const { grads } = tf.variableGrads(loss, variables(model));
            const g = tf.clone(grads[variables(model)[v].name]);
            model.dispose();
            return g;
          }),
          1e-4,
          `gradient of weight ${v}`,
        );
      }
    });
  }
});
