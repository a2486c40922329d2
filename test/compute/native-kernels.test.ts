// The native (OpenBLAS) kernels against the cpu backend, and the fused Adam against TF.js's own
// Adam. Skips with the reason where the addon is not built, except under MEDTL_REQUIRE_NATIVE=1
// (set by .ci/run where OpenBLAS is installed), where a missing addon is a failure.
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { registerNativeKernels, NATIVE_PATCHES, ADAM_KERNEL, nativeKernelsActive } from '../../src/compute/kernels/native.js';
import { loadNative, type NativeKernels } from '../../src/compute/native.js';
import { nativeSkipReason } from '../helpers/native-skip.js';
import { FusedAdamOptimizer } from '../../src/train/adam.js';
import { assertClose, normal, onBoth, tensorOf, useWasm, wasmDataIds } from './helpers.js';

// Every output below sums at most ~600 unit-normal products. OpenBLAS's blocked FMA order
// against the cpu backend's sequential loop moves float32 rounding by about sqrt(K) * 2^-24 of
// the summed magnitude; 1e-4 of the output scale is well above that and far below any indexing
// or transpose error (which moves results by O(1)).
const TOL = 1e-4;

const load = loadNative();
const skip = nativeSkipReason();

function kernels(): NativeKernels {
  if (!load.ok) throw new Error(`MEDTL_REQUIRE_NATIVE=1 but ${load.reason}`);
  return load.kernels;
}

/** Steps `opt` over `grads` on a fresh variable from `init` and returns the final weights; `gradFor` may rewrite each gradient. */
function stepVariable(
  name: string,
  init: { values: Float32Array; shape: number[] },
  grads: { values: Float32Array; shape: number[] }[],
  opt: tf.Optimizer,
  gradFor: (g: tf.Tensor, p: tf.Variable) => tf.Tensor = (g) => g,
): Float32Array {
  const p = tf.variable(tensorOf(init), true, name);
  for (const g of grads) {
    const gt = tf.tidy(() => gradFor(tensorOf(g), p));
    opt.applyGradients([{ name: p.name, tensor: gt }]);
    gt.dispose();
  }
  const out = p.dataSync().slice() as Float32Array;
  p.dispose();
  opt.dispose();
  return out;
}

describe('native kernels', { skip }, () => {
  before(async () => {
    await useWasm();
    const ids = registerNativeKernels(kernels());
    assert.deepEqual(ids, Object.values(NATIVE_PATCHES));
    assert.ok(nativeKernelsActive());
    kernels().setThreads(1);
  });

  const mm: [string, number[], number[], boolean, boolean][] = [
    ['plain', [37, 53], [53, 29], false, false],
    ['A transposed', [53, 37], [53, 29], true, false],
    ['B transposed', [37, 53], [29, 53], false, true],
    ['both transposed', [53, 37], [29, 53], true, true],
    ['batched both', [3, 7, 11], [3, 11, 5], false, false],
    ['batched, shared B (folded into one GEMM)', [4, 6, 9], [9, 8], false, false],
    ['batched, shared B, A transposed', [4, 9, 6], [8, 9], true, true],
    ['shared A, batched B', [6, 9], [4, 9, 8], false, false],
    ['broadcast over two axes (falls back)', [2, 1, 3, 4], [1, 3, 4, 5], false, false],
  ];
  for (const [label, as, bs, ta, tb] of mm) {
    it(`matMul: ${label}`, () => {
      const a = normal(`a:${label}`, as);
      const b = normal(`b:${label}`, bs);
      assertClose(onBoth(() => tf.matMul(tensorOf(a), tensorOf(b), ta, tb)), TOL, label);
    });
  }

  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const) {
    it(`fused matMul with bias and ${activation}`, () => {
      const a = normal('fa', [12, 20]);
      const b = normal('fb', [20, 9]);
      const bias = normal('fbias', [9]);
      const prelu = normal('fprelu', [9]);
      const r = onBoth(() =>
        tf.fused.matMul({
          a: tensorOf(a), b: tensorOf(b), bias: tensorOf(bias), activation,
          preluActivationWeights: activation === 'prelu' ? tensorOf(prelu) : undefined,
          leakyreluAlpha: 0.1,
        }),
      );
      assertClose(r, TOL, activation);
    });
  }

  it('fused matMul with a full-shape bias goes to the previous wasm kernel, with its own error', () => {
    // The addon only adds per-column biases; the stock wasm kernel refuses this shape itself.
    const a = normal('ga', [5, 7]);
    const b = normal('gb', [7, 3]);
    const bias = normal('gbias', [5, 3]);
    assert.throws(() => tf.tidy(() => tf.fused.matMul({ a: tensorOf(a), b: tensorOf(b), bias: tensorOf(bias) }).dataSync()), /only supports rank-1 bias/);
  });

  type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  const convs: { label: string; x: number[]; k: [number, number]; outC: number; strides: number | [number, number]; pad: Pad; dilations?: number }[] = [
    { label: '3x3 same stride 1', x: [2, 9, 8, 3], k: [3, 3], outC: 4, strides: 1, pad: 'same' },
    { label: '3x3 valid stride 2', x: [3, 10, 11, 2], k: [3, 3], outC: 5, strides: 2, pad: 'valid' },
    { label: '5x3 same stride 2', x: [2, 11, 9, 1], k: [5, 3], outC: 3, strides: 2, pad: 'same' },
    { label: '1x1 pointwise', x: [2, 5, 6, 7], k: [1, 1], outC: 3, strides: 1, pad: 'valid' },
    { label: 'explicit asymmetric pads', x: [2, 7, 8, 2], k: [3, 2], outC: 3, strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
    { label: 'dilation 2', x: [2, 9, 9, 2], k: [3, 3], outC: 3, strides: 1, pad: 'same', dilations: 2 },
  ];
  // Every convolution case runs on each engine this build has: im2col + OpenBLAS always, oneDNN
  // where it was compiled in (a case oneDNN declines falls through to im2col inside the kernel).
  const engines: ('im2col' | 'onednn')[] = load.ok ? ['im2col', ...(load.kernels.convEngine() === 'onednn' ? ['onednn' as const] : [])] : [];
  const defaultEngine = load.ok ? load.kernels.convEngine() : 'im2col';
  for (const engine of engines) {
    for (const c of convs) {
      it(`conv2d forward (${engine}): ${c.label}`, () => {
        kernels().convEngine(engine);
        const x = normal(`x:${c.label}`, c.x);
        const w = normal(`w:${c.label}`, [...c.k, c.x[3], c.outC]);
        const r = onBoth(() => tf.conv2d(tensorOf(x) as tf.Tensor4D, tensorOf(w) as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations ?? 1));
        kernels().convEngine(defaultEngine);
        assertClose(r, TOL, c.label);
      });
      for (const activation of ['relu', 'linear', 'elu'] as const) {
        // relu and linear run inside the convolution call (oneDNN post-op, or the addon's own pass); elu after it.
        it(`fused conv2d with bias and ${activation} (${engine}): ${c.label}`, () => {
          kernels().convEngine(engine);
          const x = normal(`fx:${c.label}`, c.x);
          const w = normal(`fw:${c.label}`, [...c.k, c.x[3], c.outC]);
          const b = normal(`fb:${c.label}`, [c.outC]);
          const r = onBoth(() => tf.fused.conv2d({ x: tensorOf(x) as tf.Tensor4D, filter: tensorOf(w) as tf.Tensor4D, strides: c.strides, pad: c.pad, dilations: c.dilations ?? 1, bias: tensorOf(b), activation }));
          kernels().convEngine(defaultEngine);
          assertClose(r, TOL, `${c.label} ${activation}`);
        });
      }
      if (c.dilations !== undefined) continue; // TF.js has no gradient for dilated conv2d
      it(`conv2d gradients (${engine}): ${c.label}`, () => {
        kernels().convEngine(engine);
        const x = normal(`gx:${c.label}`, c.x);
        const w = normal(`gw:${c.label}`, [...c.k, c.x[3], c.outC]);
        const loss = (xt: tf.Tensor, wt: tf.Tensor) => tf.sum(tf.sin(tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.strides, c.pad)));
        const dx = onBoth(() => tf.grads(loss)([tensorOf(x), tensorOf(w)])[0]);
        const dw = onBoth(() => tf.grads(loss)([tensorOf(x), tensorOf(w)])[1]);
        kernels().convEngine(defaultEngine);
        assertClose(dx, TOL, `${c.label} dx`);
        assertClose(dw, TOL, `${c.label} dw`);
      });
    }
  }

  it('the ReLU gradient is one fused kernel and gives the same bits as TF.js, NaN and signed zero included', () => {
    const xs = tf.tensor1d([-2, -0, 0, 1e-30, 3, Number.NaN, -1e-30, 7]);
    const ds = tf.tensor1d([1.5, -2, 3, -4, 5, 6, -7, -8]);
    let fusedCalls = 0;
    const k = tf.getKernel('MedtlReluGrad', 'wasm')!;
    tf.unregisterKernel('MedtlReluGrad', 'wasm');
    tf.registerKernel({ ...k, kernelFunc: (a) => { fusedCalls++; return k.kernelFunc(a); } });
    try {
      const r = onBoth(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), ds)))(xs));
      assert.equal(fusedCalls, 1, 'wasm took the fused kernel');
      assert.equal(r.wasm.length, r.cpu.length);
      for (let i = 0; i < r.cpu.length; i++) assert.ok(Object.is(r.wasm[i], r.cpu[i]), `element ${i}: ${r.wasm[i]} vs ${r.cpu[i]}`);
    } finally {
      tf.unregisterKernel('MedtlReluGrad', 'wasm');
      tf.registerKernel(k);
      tf.dispose([xs, ds]);
    }
  });

  it('convEngine names the engine in use and refuses an unknown one', () => {
    const k = kernels();
    assert.ok(['onednn', 'im2col'].includes(k.convEngine()));
    assert.throws(() => k.convEngine('fft' as 'im2col'), /convEngine takes 'onednn' or 'im2col'/);
  });

  it('fused conv2d with bias and relu', () => {
    const x = normal('fcx', [2, 8, 8, 3]);
    const w = normal('fcw', [3, 3, 3, 6]);
    const bias = normal('fcb', [6]);
    const r = onBoth(() => tf.fused.conv2d({ x: tensorOf(x) as tf.Tensor4D, filter: tensorOf(w) as tf.Tensor4D, strides: 1, pad: 'same', bias: tensorOf(bias), activation: 'relu' }));
    assertClose(r, TOL, 'fused conv');
  });

  for (const [label, shape, size, stride, pad] of [
    ['2x2 stride 2', [2, 8, 8, 5], 2, 2, 'valid'],
    ['2x2 stride 2 with a leftover row and column', [2, 9, 7, 3], 2, 2, 'valid'],
    ['3x3 stride 2 same (overlapping, padded)', [2, 9, 7, 3], 3, 2, 'same'],
    ['3x3 stride 1 valid', [1, 6, 6, 17], 3, 1, 'valid'],
    // The 2x2 tiled path is specialised for 1, 2, 4, 8, 16, 32 and 64 channels.
    ['2x2 stride 2, 1 channel', [2, 6, 6, 1], 2, 2, 'valid'],
    ['2x2 stride 2, 8 channels, leftover row and column', [2, 7, 9, 8], 2, 2, 'valid'],
    ['2x2 stride 2, 16 channels', [3, 4, 4, 16], 2, 2, 'valid'],
    ['2x2 stride 2, 64 channels', [1, 4, 6, 64], 2, 2, 'valid'],
  ] as const) {
    it(`maxPool gradient: ${label}`, () => {
      const x = normal(`mp:${label}`, shape);
      const r = onBoth(() => tf.grad((t: tf.Tensor) => tf.sum(tf.sin(tf.maxPool(t as tf.Tensor4D, size, stride, pad))))(tensorOf(x)));
      assertClose(r, TOL, label);
    });
  }

  it('maxPool gradient ties go to the first element of the window, as on cpu', () => {
    const r = onBoth(() => tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(tf.ones([1, 4, 4, 2])));
    assert.deepEqual(r.wasm, r.cpu);
  });

  it('maxPool gradient with NaN and -Infinity in 8-channel windows matches cpu bit for bit', () => {
    const x = normal('mp:nan', [1, 4, 4, 8]);
    // Window (0,0) channel 0: a NaN first; window (0,1) channel 3: all -Infinity; window (1,1): ties.
    x.values[0] = Number.NaN;
    for (const [h, w] of [[0, 2], [0, 3], [1, 2], [1, 3]]) x.values[(h * 4 + w) * 8 + 3] = -Infinity;
    for (const [h, w] of [[2, 2], [2, 3], [3, 2], [3, 3]]) x.values[(h * 4 + w) * 8 + 5] = 9;
    const r = onBoth(() => tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(tensorOf(x)));
    for (let i = 0; i < r.cpu.length; i++) assert.ok(Object.is(r.wasm[i], r.cpu[i]), `element ${i}: ${r.wasm[i]} vs ${r.cpu[i]}`);
  });

  it('bias add, bias + ReLU and leading-axis sums at the specialised widths (8 to 64) and others', () => {
    for (const n of [8, 16, 32, 64, 12]) {
      const x = normal(`w:x${n}`, [3, 5, n]);
      const b = normal(`w:b${n}`, [n]);
      const add = onBoth(() => tf.add(tensorOf(x), tensorOf(b)));
      assert.deepEqual(add.wasm, add.cpu, `add ${n}`);
      assertClose(onBoth(() => tf.sum(tensorOf(x), [0, 1])), TOL, `sum ${n}`);
      const a = normal(`w:a${n}`, [7, 9]);
      const w = normal(`w:m${n}`, [9, n]);
      assertClose(onBoth(() => tf.fused.matMul({ a: tensorOf(a) as tf.Tensor2D, b: tensorOf(w) as tf.Tensor2D, bias: tensorOf(b), activation: 'relu' })), TOL, `matMul bias relu ${n}`);
    }
  });

  it('sum over leading axes (bias gradients) and over other axes', () => {
    const x = normal('sum', [3, 4, 5, 6]);
    assertClose(onBoth(() => tf.sum(tensorOf(x), [0, 1, 2])), TOL, 'leading 3');
    assertClose(onBoth(() => tf.sum(tensorOf(x), [1, 0], true)), TOL, 'leading 2, keepDims');
    assertClose(onBoth(() => tf.sum(tensorOf(x), [1, 3])), TOL, 'not leading (falls back)');
    assertClose(onBoth(() => tf.sum(tensorOf(x))), TOL, 'all axes (falls back)');
  });

  it('bias add on either side, and other broadcasts', () => {
    const x = normal('add:x', [4, 3, 7]);
    const b = normal('add:b', [7]);
    // Float addition is exact per element, so these agree bit for bit.
    for (const f of [() => tf.add(tensorOf(x), tensorOf(b)), () => tf.add(tensorOf(b), tensorOf(x)), () => tf.add(tensorOf(x), tf.scalar(2))]) {
      const r = onBoth(f);
      assert.deepEqual(r.wasm, r.cpu);
      assert.deepEqual(r.wasmShape, r.cpuShape);
    }
  });

  it('identity shares the buffer, and each tensor can be disposed on its own', () => {
    const x = tf.tensor1d([1, 2, 3]);
    const before = wasmDataIds();
    const y = tf.clone(x);
    assert.equal(wasmDataIds(), before, 'no new wasm buffer for a clone');
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3]);
    y.dispose();
  });

  it('a same-dtype cast shares the buffer; other casts convert as before', () => {
    const x = tf.tensor1d([1.5, -2.5, 3]);
    const before = wasmDataIds();
    const y = tf.cast(x, 'float32');
    assert.equal(wasmDataIds(), before, 'no new wasm buffer');
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1.5, -2.5, 3]);
    const r = onBoth(() => tf.cast(tf.cast(tf.tensor1d([1.5, -2.5, 3]), 'int32'), 'float32'));
    // The cpu backend hands back an Int32Array here; the values are what matters.
    assert.deepEqual(Array.from(r.wasm), Array.from(r.cpu));
    y.dispose();
  });

  it('the fused Adam kernel is bit-identical to TF.js Adam over 5 steps', () => {
    // Both run on wasm; only the update differs (one native pass against eight wasm kernels).
    const init = normal('adam:p', [300]);
    const grads = Array.from({ length: 5 }, (_, s) => normal(`adam:g${s}`, [300]));
    const run = (opt: tf.Optimizer) => stepVariable(`adam-p-${opt.constructor.name}`, init, grads, opt);
    assert.ok(tf.getKernel(ADAM_KERNEL, 'wasm'), 'MedtlAdam is registered');
    const stock = run(tf.train.adam(0.01));
    const fused = run(new FusedAdamOptimizer(0.01));
    assert.notDeepEqual(stock, init.values, 'the steps moved the weights');
    assert.deepEqual(fused, stock);
  });

  it('a moment another tensor shares is not written in place, and the result is the same', () => {
    // A clone shares the moment's buffer, so the step must go through the out-of-place kernel.
    const init = normal('adam2:p', [64]);
    const grads = Array.from({ length: 3 }, (_, s) => normal(`adam2:g${s}`, [64]));
    const run = (opt: tf.Optimizer, hold: boolean) => {
      const p = tf.variable(tensorOf(init), true, `adam2-p-${opt.constructor.name}-${hold}`);
      let held: tf.Tensor | undefined;
      let heldValues: Float32Array | undefined;
      grads.forEach((g, step) => {
        const gt = tensorOf(g);
        opt.applyGradients([{ name: p.name, tensor: gt }]);
        gt.dispose();
        if (hold && step === 0) {
          const m = (opt as unknown as { accumulatedFirstMoment: { variable: tf.Variable }[] }).accumulatedFirstMoment[0].variable;
          held = tf.clone(m);
          heldValues = held.dataSync().slice() as Float32Array;
        }
      });
      if (held) assert.deepEqual(held.dataSync(), heldValues, 'the clone kept the moment it was taken from');
      held?.dispose();
      const out = p.dataSync().slice() as Float32Array;
      p.dispose();
      opt.dispose();
      return out;
    };
    const stock = run(tf.train.adam(0.02), false);
    assert.deepEqual(run(new FusedAdamOptimizer(0.02), true), stock);
    assert.deepEqual(run(new FusedAdamOptimizer(0.02), false), stock);
  });

  it('an L2 penalty folded into the step matches the penalty in the gradient', () => {
    // Path A: stock Adam on g + wd * 2p computed with tensors; path B: the fused step adds it
    // itself. The two round (g + wd·2p) alike, so after 5 steps they agree to float32 rounding.
    const wd = 0.05;
    const init = normal('l2:p', [40]);
    const grads = Array.from({ length: 5 }, (_, s) => normal(`l2:g${s}`, [40]));
    const run = (fold: boolean) => {
      const name = `l2-p-${fold}`;
      if (!fold) return stepVariable(name, init, grads, tf.train.adam(0.01), (g, p) => tf.add(g, tf.mul(tf.mul(p, 2), wd)));
      const opt = new FusedAdamOptimizer(0.01);
      opt.foldL2([name], wd);
      return stepVariable(name, init, grads, opt);
    };
    const a = run(false);
    const b = run(true);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-6 * (1 + Math.abs(a[i])), `weight ${i}: ${a[i]} vs ${b[i]}`);
    assert.ok(tf.tidy(() => tf.sum(tf.abs(tf.sub(tensorOf(init), tf.tensor(a)))).dataSync()[0]) > 0.01, 'the steps moved the weights');
  });

  it('the fused Adam keeps TF.js state layout (getWeights names and moments)', async () => {
    const p = tf.variable(tf.tensor1d([1, 2, 3]), true, 'adam-state-p');
    const opt = new FusedAdamOptimizer(0.1);
    opt.applyGradients([{ name: p.name, tensor: tf.tensor1d([0.5, -1, 2]) }]);
    const ws = await opt.getWeights();
    assert.deepEqual(ws.map((w) => w.name), ['iter', 'adam-state-p/m', 'adam-state-p/v']);
    // After one step m = (1 - β1) g and v = (1 - β2) g².
    const m = ws[1].tensor.dataSync();
    const v = ws[2].tensor.dataSync();
    [0.5, -1, 2].forEach((g, i) => {
      assert.ok(Math.abs(m[i] - 0.1 * g) < 1e-6, `m[${i}]`);
      assert.ok(Math.abs(v[i] - 0.001 * g * g) < 1e-7, `v[${i}]`);
    });
    opt.dispose();
    p.dispose();
  });

  it('rejects a heap that is not a Float32Array and offsets outside it, naming the problem', () => {
    const k = kernels();
    const heap = new Float32Array(16);
    assert.throws(() => k.gemm(new Float64Array(16) as unknown as Float32Array, false, false, 2, 2, 2, 0, 4, 8, 1, 0, 0, 0, 0), /heap must be a Float32Array/);
    assert.throws(() => k.gemm(heap, false, false, 4, 4, 4, 0, 4, 8, 1, 0, 0, 0, 0), /outside the wasm heap/);
    assert.throws(() => k.conv(heap, 0, 0, 0, 0, new Int32Array(3)), /geometry must be an Int32Array of 15/);
    assert.throws(() => k.adam(heap, 0, 0, 0, 0, 0, 0, 0, 17, 0.1, 0.9, 0.1, 0.999, 0.001, 1e-7, 0.1, 0.001, 0), /outside the wasm heap/);
    assert.throws(() => k.maxPoolGrad(heap, 0, 0, 0, new Int32Array(5)), /pool geometry must be an Int32Array of 12/);
    // One pixel with 20,000 channels: in the heap, but past the per-window scratch limit.
    const wide = new Float32Array(20_000);
    assert.throws(() => k.maxPoolGrad(wide, 0, 0, 0, Int32Array.from([1, 1, 1, 20_000, 1, 1, 1, 1, 1, 1, 0, 0])), /at most 16384 channels/);
    assert.throws(() => k.reluGrad(heap, 0, 8, 12, 8), /outside the wasm heap/);
  });

  it('folding an L2 penalty where the fused kernel is missing is refused, naming the backend', async () => {
    await tf.setBackend('cpu');
    try {
      const opt = new FusedAdamOptimizer(0.1);
      assert.throws(() => opt.foldL2(['w'], 0.01), /no MedtlAdam kernel on backend 'cpu'/);
      opt.dispose();
    } finally {
      await tf.setBackend('wasm');
    }
  });
});
