import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { UNSORTED_SEGMENT_SUM_PATCH, registerWasmPatches } from '../../src/compute/kernels/index.js';
import { assertClose, normal, onBoth, tensorOf, useWasm } from './helpers.js';

// Each output element sums at most 3 rows here; the cpu kernel sums them by another route (masked
// reductions), so the two may differ by a few float32 ulps of the largest value.
const TOL = 1e-6;

describe('wasm UnsortedSegmentSum (row scatter)', () => {
  before(useWasm);

  it('is registered', () => {
    assert.deepEqual(registerWasmPatches(['unsortedSegmentSum']), [UNSORTED_SEGMENT_SUM_PATCH]);
  });

  it('matches cpu on 2-D rows with repeated, missing and out-of-range segment ids', () => {
    const x = normal('uss-x', [7, 5]);
    const ids = [2, 0, 2, 4, 9, 0, 2];
    assertClose(onBoth(() => tf.unsortedSegmentSum(tensorOf(x), tf.tensor1d(ids, 'int32'), 6)), TOL, '2-D');
  });

  it("matches cpu on an embedding lookup's gradient (gather)", () => {
    const table = normal('uss-table', [5, 3]);
    const idx = [1, 4, 1, 0, 0, 0];
    const grad = (): tf.Tensor => tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, tf.tensor1d(idx, 'int32')))))(tensorOf(table));
    assertClose(onBoth(grad), TOL, 'gather grad');
  });
});
