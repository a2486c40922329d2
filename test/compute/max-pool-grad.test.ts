import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { MAX_POOL_GRAD_PATCH, registerWasmPatches } from '../../src/compute/kernels/index.js';
import { assertClose, normal, onBoth, tensorOf, useWasm, wasmDataIds } from './helpers.js';

// Each dx element is a sum of at most (kernel/stride)^2 <= 9 dy values in a different order than
// on cpu, so differences are a few float32 ulps; with non-overlapping windows they are exactly 0.
const TOL = 1e-6;

type Pad = 'same' | 'valid' | number;

function maxPoolGrad(x: tf.Tensor4D, dy: tf.Tensor, filterSize: number | [number, number], strides: number | [number, number], pad: Pad): tf.Tensor {
  const y = tf.maxPool(x, filterSize, strides, pad);
  return tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: x, output: y }, { filterSize, strides, pad } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

const cases: [string, number[], number | [number, number], number | [number, number], Pad][] = [
  ['2x2 stride 2 valid', [2, 8, 10, 3], 2, 2, 'valid'],
  ['3x3 stride 2 same (overlapping)', [2, 9, 7, 2], 3, 2, 'same'],
  ['3x3 stride 1 same', [1, 7, 7, 4], 3, 1, 'same'],
  ['3x2 stride [3,2] valid', [2, 10, 9, 1], [3, 2], [3, 2], 'valid'],
  ['2x2 stride 2 same on odd input', [2, 7, 9, 3], 2, 2, 'same'],
  ['numeric pad 1', [2, 6, 6, 2], 3, 2, 1],
];

describe('wasm MaxPoolGrad (arg-max scatter)', () => {
  before(useWasm);

  it('is registered', () => {
    assert.deepEqual(registerWasmPatches(['maxPoolGrad']), [MAX_POOL_GRAD_PATCH]);
  });

  for (const [label, shape, k, s, pad] of cases) {
    it(`matches cpu: ${label}`, () => {
      const x = normal(`x-${label}`, shape);
      tf.setBackend('cpu');
      const dyShape = tf.tidy(() => tf.maxPool(tensorOf(x) as tf.Tensor4D, k, s, pad).shape);
      tf.setBackend('wasm');
      const dy = normal(`dy-${label}`, dyShape);
      assertClose(onBoth(() => maxPoolGrad(tensorOf(x) as tf.Tensor4D, tensorOf(dy), k, s, pad)), TOL, label);
    });
  }

  it('breaks ties like cpu (first maximum in row-major window order)', () => {
    // Values in {0, 1, 2} make most windows contain repeated maxima.
    const x = normal('ties', [2, 6, 6, 3]);
    const ints = { values: x.values.map((v) => Math.min(2, Math.floor(Math.abs(v) * 1.5))), shape: x.shape };
    const dy = normal('ties-dy', [2, 3, 3, 3]);
    assertClose(onBoth(() => maxPoolGrad(tensorOf(ints) as tf.Tensor4D, tensorOf(dy), 2, 2, 'valid')), 0, 'ties');
  });

  it('routes gradient like cpu through tf.grad of maxPool in a small net', () => {
    const x = normal('net-x', [2, 8, 8, 3]);
    assertClose(
      onBoth(() => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, 2, 2, 'same'), 3)))(tensorOf(x))),
      TOL,
      'grad',
    );
  });

  it('frees every intermediate', () => {
    const x = tensorOf(normal('l', [1, 4, 4, 2])) as tf.Tensor4D;
    const dy = tensorOf(normal('ldy', [1, 2, 2, 2]));
    const y = tf.maxPool(x, 2, 2, 'valid');
    const before = wasmDataIds();
    const dx = tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor;
    assert.equal(wasmDataIds(), before + 1);
    tf.dispose([x, dy, y, dx]);
  });
});
