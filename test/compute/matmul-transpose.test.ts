import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { FUSED_MATMUL_PATCH, MATMUL_PATCH, registerWasmPatches } from '../../src/compute/kernels/index.js';
import { assertClose, normal, onBoth, tensorOf, useWasm, wasmDataIds } from './helpers.js';

// Inner dimensions here are at most 70 unit-normal terms, so float32 reordering differences stay
// near 70 * 2^-24 * (sum of |terms|) ≈ 1e-5 of the output scale; 1e-4 leaves headroom without
// hiding an indexing bug (those give O(1) errors).
const TOL = 1e-4;

describe('wasm BatchMatMul / _FusedMatMul transpose fix', () => {
  before(useWasm);

  it('is registered and idempotent', () => {
    const ids = registerWasmPatches(['matmul']);
    assert.deepEqual(ids, [MATMUL_PATCH, FUSED_MATMUL_PATCH]);
    assert.deepEqual(registerWasmPatches(['matmul']), ids);
  });

  const shapes: [number, number, number][] = [
    [5, 7, 3],
    [1, 9, 4],
    [6, 1, 5],
    [4, 8, 1],
    [33, 70, 17],
  ];
  for (const [m, k, n] of shapes) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        it(`matches cpu for [${m}x${k}]·[${k}x${n}] transposeA=${ta} transposeB=${tb}`, () => {
          const a = normal(`a${m}${k}${n}`, ta ? [k, m] : [m, k]);
          const b = normal(`b${m}${k}${n}`, tb ? [n, k] : [k, n]);
          assertClose(onBoth(() => tf.matMul(tensorOf(a), tensorOf(b), ta, tb)), TOL, 'matMul');
        });
      }
    }
  }

  const batched: [string, number[], number[], boolean, boolean][] = [
    ['equal batches', [3, 4, 6], [3, 6, 5], false, false],
    ['equal batches, both transposed', [3, 6, 4], [3, 5, 6], true, true],
    ['shared right operand (batch folded)', [2, 3, 4, 6], [6, 5], false, false],
    ['shared right operand, transposeB', [4, 5, 6], [1, 7, 6], false, true],
    ['broadcast left operand', [4, 6], [3, 6, 5], false, false],
    ['broadcast left operand, transposeA', [1, 6, 4], [3, 6, 5], true, false],
    ['broadcast over two outer axes', [2, 1, 4, 6], [1, 3, 6, 5], false, false],
  ];
  for (const [label, as, bs, ta, tb] of batched) {
    it(`matches cpu for batched matmul: ${label}`, () => {
      const a = normal(`ba-${label}`, as);
      const b = normal(`bb-${label}`, bs);
      assertClose(onBoth(() => tf.matMul(tensorOf(a), tensorOf(b), ta, tb)), TOL, label);
    });
  }

  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`fused matMul with bias and relu matches cpu (transposeA=${ta}, transposeB=${tb})`, () => {
      const a = normal('fa', ta ? [9, 6] : [6, 9]);
      const b = normal('fb', tb ? [4, 9] : [9, 4]);
      const bias = normal('fbias', [4]);
      assertClose(
        onBoth(() =>
          tf.fused.matMul({ a: tensorOf(a), b: tensorOf(b), transposeA: ta, transposeB: tb, bias: tensorOf(bias), activation: 'relu' }),
        ),
        TOL,
        'fused',
      );
    });
  }

  it('fused matMul folds a batched left operand exactly', () => {
    const a = normal('fba', [3, 5, 6]);
    const b = normal('fbb', [6, 4]);
    const bias = normal('fbbias', [4]);
    assertClose(
      onBoth(() => tf.fused.matMul({ a: tensorOf(a), b: tensorOf(b), bias: tensorOf(bias), activation: 'elu' })),
      TOL,
      'fused batched',
    );
  });

  it('gives the same Dense-layer gradients as cpu', () => {
    const x = normal('gx', [16, 40]);
    const w = normal('gw', [40, 12]);
    for (const which of [0, 1]) {
      assertClose(
        onBoth(() => {
          const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.relu(tf.matMul(xx, ww))))([tensorOf(x), tensorOf(w)]);
          return which === 0 ? gx : gw;
        }),
        TOL,
        which === 0 ? 'dX' : 'dW',
      );
    }
  });

  it('frees every intermediate', () => {
    const a = tensorOf(normal('la', [3, 7, 5]));
    const b = tensorOf(normal('lb', [3, 6, 7]));
    const before = wasmDataIds();
    const out = tf.matMul(a, b, true, true);
    assert.equal(wasmDataIds(), before + 1);
    out.dispose();
    assert.equal(wasmDataIds(), before);
    tf.dispose([a, b]);
  });
});
