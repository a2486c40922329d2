import * as tf from '@tensorflow/tfjs-core';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createThreadedWasmBackend, installWasmBackend, threadedWasmSupported } from '../../src/compute/wasm-threads.js';
import { assertClose, normal, onBoth, tensorOf, useWasm, wasmDataIds } from './helpers.js';

// Same bound as the single-threaded kernel tests: XNNPACK splits work across threads by output
// tiles, so each element is still one float32 sum, only in a different order than on cpu.
const TOL = 1e-4;

describe('threaded SIMD wasm backend', async () => {
  const supported = await threadedWasmSupported();

  before(async () => {
    if (!supported) return;
    installWasmBackend(await createThreadedWasmBackend(2));
    await useWasm();
  });

  it('runs with the requested thread count', { skip: !supported && 'no shared wasm memory in this Node' }, () => {
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(wasm.getThreadsCount(), 2);
  });

  it('computes the fixed kernels like cpu', { skip: !supported }, () => {
    const a = normal('ta', [96, 64]);
    const b = normal('tb', [80, 64]);
    assertClose(onBoth(() => tf.matMul(tensorOf(a), tensorOf(b), false, true)), TOL, 'matMul');
    const x = normal('tx', [4, 12, 12, 3]);
    const f = normal('tf', [3, 3, 3, 8]);
    const loss = (xx: tf.Tensor, ff: tf.Tensor) =>
      tf.sum(tf.square(tf.maxPool(tf.relu(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, 1, 'same')), 2, 2, 'valid')));
    for (const which of [0, 1]) {
      assertClose(onBoth(() => tf.grads(loss)([tensorOf(x), tensorOf(f)])[which]), TOL, `conv grad ${which}`);
    }
  });

  it('repeats exactly and frees its intermediates', { skip: !supported }, () => {
    const x = tensorOf(normal('rx', [8, 16, 16, 4]));
    const f = tensorOf(normal('rf', [3, 3, 4, 16]));
    const step = () => tf.tidy(() => tf.grads((xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, 1, 'same')))([x, f])[1].dataSync());
    const before = wasmDataIds();
    const r1 = step();
    const r2 = step();
    assert.deepEqual(r2, r1);
    assert.equal(wasmDataIds(), before);
    tf.dispose([x, f]);
  });
});
