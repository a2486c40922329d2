import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CONV2D_BACKPROP_FILTER_PATCH,
  CONV2D_BACKPROP_INPUT_PATCH,
  registerWasmPatches,
  setMaxPatchElems,
} from '../../src/compute/kernels/index.js';
import { assertClose, normal, onBoth, tensorOf, useWasm, wasmDataIds } from './helpers.js';

// Each output sums at most N*outH*outW ≈ 600 (filter gradient) or kH*kW*outC ≈ 150 (input
// gradient) unit-normal products. XNNPACK's blocked SIMD order against the cpu backend's
// sequential loop moves float32 rounding by about sqrt(K) * 2^-24 of the summed magnitude;
// 1e-4 of the output scale is well above that and far below any indexing error.
const TOL = 1e-4;

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface Case {
  label: string;
  x: [number, number, number, number];
  k: [number, number];
  outC: number;
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const cases: Case[] = [
  { label: '3x3 same stride 1', x: [2, 9, 8, 3], k: [3, 3], outC: 4, strides: 1, pad: 'same' },
  { label: '3x3 valid stride 2', x: [3, 10, 11, 2], k: [3, 3], outC: 5, strides: 2, pad: 'valid' },
  { label: '5x3 same stride 2 (odd input)', x: [2, 11, 9, 1], k: [5, 3], outC: 3, strides: 2, pad: 'same' },
  { label: '2x2 valid stride 3', x: [2, 8, 8, 4], k: [2, 2], outC: 2, strides: 3, pad: 'valid' },
  { label: '1x1 stride 1', x: [2, 5, 6, 7], k: [1, 1], outC: 3, strides: 1, pad: 'valid' },
  { label: 'stride [2,1] same', x: [2, 9, 7, 3], k: [3, 3], outC: 4, strides: [2, 1], pad: 'same' },
  { label: 'numeric pad 1', x: [2, 7, 7, 3], k: [3, 3], outC: 2, strides: 2, pad: 1, dimRoundingMode: 'floor' },
  {
    label: 'explicit asymmetric pads',
    x: [2, 7, 8, 2],
    k: [3, 2],
    outC: 3,
    strides: 1,
    pad: [[0, 0], [1, 2], [0, 1], [0, 0]],
  },
  { label: 'filter as large as the input', x: [2, 4, 4, 2], k: [4, 4], outC: 3, strides: 1, pad: 'valid' },
];

function dyShape(c: Case): number[] {
  // The forward op's own shape logic, on cpu, tells us the gradient's shape.
  tf.setBackend('cpu');
  const y = tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([...c.k, c.x[3], c.outC]) as tf.Tensor4D, c.strides, c.pad, 'NHWC', 1, c.dimRoundingMode);
  const shape = y.shape;
  y.dispose();
  tf.setBackend('wasm');
  return shape;
}

function filterGrad(c: Case, x: tf.Tensor, dy: tf.Tensor, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.Tensor {
  return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
    strides: c.strides,
    pad: c.pad,
    dataFormat,
    dimRoundingMode: c.dimRoundingMode,
    filterShape: [...c.k, c.x[3], c.outC],
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function inputGrad(c: Case, dy: tf.Tensor, filter: tf.Tensor, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): tf.Tensor {
  const inputShape = dataFormat === 'NHWC' ? c.x : [c.x[0], c.x[3], c.x[1], c.x[2]];
  return tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, {
    strides: c.strides,
    pad: c.pad,
    dataFormat,
    dimRoundingMode: c.dimRoundingMode,
    inputShape,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

const toNCHW = (t: tf.Tensor) => tf.transpose(t, [0, 3, 1, 2]);

describe('wasm Conv2DBackpropFilter (im2col + XNNPACK) and Conv2DBackpropInput (XNNPACK + col2im)', () => {
  before(useWasm);

  it('are registered', () => {
    const ids = registerWasmPatches(['conv2dBackpropFilter', 'conv2dBackpropInput']);
    assert.deepEqual(ids, [CONV2D_BACKPROP_FILTER_PATCH, CONV2D_BACKPROP_INPUT_PATCH]);
  });

  for (const c of cases) {
    it(`filter gradient matches cpu: ${c.label}`, () => {
      const x = normal(`x-${c.label}`, c.x);
      const dy = normal(`dy-${c.label}`, dyShape(c));
      assertClose(onBoth(() => filterGrad(c, tensorOf(x), tensorOf(dy))), TOL, c.label);
    });
    it(`input gradient matches cpu: ${c.label}`, () => {
      const f = normal(`f-${c.label}`, [...c.k, c.x[3], c.outC]);
      const dy = normal(`dy-${c.label}`, dyShape(c));
      assertClose(onBoth(() => inputGrad(c, tensorOf(dy), tensorOf(f))), TOL, c.label);
    });
  }

  it('handles NCHW data', () => {
    const c = cases[1];
    const x = normal('nchw-x', c.x);
    const dy = normal('nchw-dy', dyShape(c));
    const f = normal('nchw-f', [...c.k, c.x[3], c.outC]);
    const nhwcFilter = onBoth(() => filterGrad(c, tensorOf(x), tensorOf(dy)));
    const nchwFilter = onBoth(() => filterGrad(c, toNCHW(tensorOf(x)), toNCHW(tensorOf(dy)), 'NCHW'));
    assertClose({ ...nchwFilter, cpu: nhwcFilter.cpu, cpuShape: nhwcFilter.cpuShape }, TOL, 'NCHW filter');
    const nhwcInput = onBoth(() => toNCHW(inputGrad(c, tensorOf(dy), tensorOf(f))));
    const nchwInput = onBoth(() => inputGrad(c, toNCHW(tensorOf(dy)), tensorOf(f), 'NCHW'));
    assertClose({ ...nchwInput, cpu: nhwcInput.cpu, cpuShape: nhwcInput.cpuShape }, TOL, 'NCHW input');
  });

  describe('with a patch budget small enough to split the batch', () => {
    let previous = 0;
    before(() => {
      previous = setMaxPatchElems(200);
    });
    after(() => {
      setMaxPatchElems(previous);
    });
    for (const c of [cases[0], cases[2]]) {
      it(`still matches cpu: ${c.label}`, () => {
        const x = normal(`cx-${c.label}`, [5, ...c.x.slice(1)]);
        const cc = { ...c, x: [5, c.x[1], c.x[2], c.x[3]] as Case['x'] };
        const dy = normal(`cdy-${c.label}`, dyShape(cc));
        const f = normal(`cf-${c.label}`, [...c.k, c.x[3], c.outC]);
        assertClose(onBoth(() => filterGrad(cc, tensorOf(x), tensorOf(dy))), TOL, 'chunked filter');
        assertClose(onBoth(() => inputGrad(cc, tensorOf(dy), tensorOf(f))), TOL, 'chunked input');
      });
    }
  });

  it('gives conv2d gradients equal to cpu through tf.grads', () => {
    const x = normal('gx', [2, 8, 8, 3]);
    const f = normal('gf', [3, 3, 3, 4]);
    for (const which of [0, 1]) {
      assertClose(
        onBoth(() => {
          const loss = (xx: tf.Tensor, ff: tf.Tensor) => tf.sum(tf.square(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, 2, 'same')));
          return tf.grads(loss)([tensorOf(x), tensorOf(f)])[which];
        }),
        TOL,
        which === 0 ? 'dX' : 'dW',
      );
    }
  });

  it('frees every intermediate, chunked or not', () => {
    const c = cases[2];
    const x = tensorOf(normal('lx', c.x));
    const dy = tensorOf(normal('ldy', dyShape(c)));
    const f = tensorOf(normal('lf', [...c.k, c.x[3], c.outC]));
    for (const budget of [1 << 24, 100]) {
      const previous = setMaxPatchElems(budget);
      const before = wasmDataIds();
      const outs = [filterGrad(c, x, dy), inputGrad(c, dy, f), filterGrad(c, toNCHW(x), toNCHW(dy), 'NCHW')];
      assert.equal(wasmDataIds(), before + outs.length + 2, `budget ${budget}`);
      tf.dispose(outs);
      setMaxPatchElems(previous);
    }
    tf.dispose([x, dy, f]);
  });
});
