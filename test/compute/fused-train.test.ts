// The fused conv/dense + bias + ReLU training path (src/compute/kernels/fused-train.ts) against
// TF.js's unfused ops on the same backend: the same bits forward and back, the kernels it runs,
// and every call it must leave to TF.js. Skips like native-kernels.test.ts where the addon is not
// built, except under MEDTL_REQUIRE_NATIVE=1.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { installFusedTraining } from '../../src/compute/kernels/fused-train.js';
import { CONV_BIAS_RELU_KERNEL, MATMUL_BIAS_RELU_KERNEL, RELU_GRAD_BIAS_KERNEL, registerNativeKernels } from '../../src/compute/kernels/native.js';
import { loadNative } from '../../src/compute/native.js';
import { nativeSkipReason } from '../helpers/native-skip.js';
import { normal, tensorOf, useWasm } from './helpers.js';

const FUSED = [CONV_BIAS_RELU_KERNEL, MATMUL_BIAS_RELU_KERNEL, RELU_GRAD_BIAS_KERNEL];
const load = loadNative();
const skip = nativeSkipReason();

/** Same bits, except that +0 and -0 count as equal and NaN equals NaN. */
function assertSameBits(a: Float32Array | number[], b: Float32Array | number[], label: string): void {
  assert.equal(a.length, b.length, `${label}: length`);
  for (let i = 0; i < a.length; i++) {
    assert.ok(a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])), `${label}[${i}]: ${a[i]} vs ${b[i]}`);
  }
}

/** Equal within `rel` of the larger magnitude in either array. */
function assertClose(a: Float32Array | number[], b: Float32Array | number[], rel: number, label: string): void {
  assert.equal(a.length, b.length, `${label}: length`);
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]), Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= rel * scale, `${label}[${i}]: ${a[i]} vs ${b[i]}`);
}

/** The loss value and the gradients for `vars`, plus the kernels that ran. */
async function gradsOf(f: () => tf.Tensor, vars: tf.Variable[]): Promise<{ loss: number; grads: Float32Array[]; kernels: string[] }> {
  let loss = 0;
  let grads: Float32Array[] = [];
  const info = await tf.profile(() => {
    const r = tf.variableGrads(f as () => tf.Scalar, vars);
    loss = r.value.dataSync()[0];
    grads = vars.map((v) => r.grads[v.name].dataSync().slice() as Float32Array);
    tf.dispose([r.value, ...Object.values(r.grads)]);
  });
  return { loss, grads, kernels: info.kernelNames };
}

describe('fused training ops', { skip }, () => {
  before(async () => {
    if (!load.ok) throw new Error(`MEDTL_REQUIRE_NATIVE=1 but ${load.reason}`);
    await useWasm();
    registerNativeKernels(load.kernels);
    installFusedTraining();
    load.kernels.setThreads(1);
  });

  for (const [label, xShape, wShape, strides, pad] of [
    ['3x3 same, 1 input channel, 8 filters', [2, 9, 9, 1], [3, 3, 1, 8], 1, 'same'],
    ['3x3 valid stride 2, 5 channels', [2, 11, 10, 5], [3, 3, 5, 7], 2, 'valid'],
  ] as const) {
    it(`ReLU conv2d under a tape: one kernel each way and the unfused bits (${label})`, async () => {
      const x = tf.variable(tensorOf(normal(`x:${label}`, xShape)), true, `fx:${label}`);
      const w = tf.variable(tensorOf(normal(`w:${label}`, wShape)), true, `fw:${label}`);
      const b = tf.variable(tensorOf(normal(`b:${label}`, [wShape[3]])), true, `fb:${label}`);
      const outShape = tf.conv2d(x as tf.Variable<tf.Rank.R4>, w as tf.Variable<tf.Rank.R4>, strides, pad).shape;
      const probe = tensorOf(normal(`p:${label}`, outShape));
      const fused = () => tf.sum(tf.mul(tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b, strides, pad, activation: 'relu' }), probe));
      const plain = () => tf.sum(tf.mul(tf.relu(tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad), b)), probe));
      // im2col + OpenBLAS adds the bias and ReLU after the product, as the unfused ops do, so the
      // bits agree. oneDNN applies them inside its convolution, and on some CPUs its kernel adds
      // the bias into the accumulator first: a rounding of the output's scale per element, well
      // inside 1e-5 of it over these sums of at most 9*5 products.
      const engine = load.ok ? load.kernels.convEngine() : 'im2col';
      let f!: Awaited<ReturnType<typeof gradsOf>>;
      try {
        for (const e of engine === 'onednn' ? (['onednn', 'im2col'] as const) : (['im2col'] as const)) {
          if (load.ok) load.kernels.convEngine(e);
          f = await gradsOf(fused, [x, w, b]);
          const p = await gradsOf(plain, [x, w, b]);
          if (e === 'im2col') {
            assert.equal(f.loss, p.loss);
            ['x', 'filter', 'bias'].forEach((n, i) => assertSameBits(f.grads[i], p.grads[i], n));
          } else {
            assertClose([f.loss], [p.loss], 1e-5, 'loss (oneDNN)');
            ['x', 'filter', 'bias'].forEach((n, i) => assertClose(f.grads[i], p.grads[i], 1e-5, `${n} (oneDNN)`));
          }
        }
      } finally {
        if (load.ok) load.kernels.convEngine(engine);
      }
      assert.ok(f.kernels.includes(CONV_BIAS_RELU_KERNEL) && f.kernels.includes(RELU_GRAD_BIAS_KERNEL), f.kernels.join());
      // One Sum is the loss's own; the bias gradient is not another.
      for (const k of ['Conv2D', 'Relu', 'Add']) assert.ok(!f.kernels.includes(k), `${k} ran: ${f.kernels.join()}`);
      assert.equal(f.kernels.filter((k) => k === 'Sum').length, 1, f.kernels.join());
      tf.dispose([x, w, b, probe]);
    });
  }

  it('the tape computes only the gradients it needs: no input gradient for a data input', async () => {
    const x = tensorOf(normal('nx', [2, 6, 6, 2]));
    const w = tf.variable(tensorOf(normal('nw', [3, 3, 2, 4])), true, 'nw');
    const b = tf.variable(tf.zeros([4]), true, 'nb');
    const r = await gradsOf(() => tf.sum(tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b, strides: 1, pad: 'same', activation: 'relu' })), [w, b]);
    assert.ok(r.kernels.includes('Conv2DBackpropFilter'));
    assert.ok(!r.kernels.includes('Conv2DBackpropInput'), r.kernels.join());
    tf.dispose([x, w, b]);
  });

  it('ReLU dense (fused.matMul) under a tape: one kernel each way and the unfused bits', async () => {
    const a = tf.variable(tensorOf(normal('ma', [13, 17])), true, 'ma');
    const w = tf.variable(tensorOf(normal('mw', [17, 16])), true, 'mw');
    const b = tf.variable(tensorOf(normal('mb', [16])), true, 'mb');
    const probe = tensorOf(normal('mp', [13, 16]));
    const f = await gradsOf(() => tf.sum(tf.mul(tf.fused.matMul({ a, b: w, bias: b, activation: 'relu' }), probe)), [a, w, b]);
    const p = await gradsOf(() => tf.sum(tf.mul(tf.relu(tf.add(tf.matMul(a, w), b)), probe)), [a, w, b]);
    assert.equal(f.loss, p.loss);
    ['a', 'b', 'bias'].forEach((n, i) => assertSameBits(f.grads[i], p.grads[i], n));
    assert.ok(f.kernels.includes(MATMUL_BIAS_RELU_KERNEL) && f.kernels.includes(RELU_GRAD_BIAS_KERNEL), f.kernels.join());
    assert.ok(!f.kernels.includes('Relu') && !f.kernels.includes('Add'), f.kernels.join());
    tf.dispose([a, w, b, probe]);
  });

  it('leaves to TF.js: calls outside a tape, other activations, no bias, PReLU, transposes and rank-3 inputs', async () => {
    const x = tf.variable(tensorOf(normal('lx', [1, 5, 5, 2])), true, 'lx');
    const w = tf.variable(tensorOf(normal('lw', [3, 3, 2, 3])), true, 'lw');
    const b = tf.variable(tensorOf(normal('lb', [3])), true, 'lb');
    const a = tf.variable(tensorOf(normal('la', [4, 6])), true, 'la');
    const m = tf.variable(tensorOf(normal('lm', [6, 3])), true, 'lm');
    const conv = (extra: Partial<Parameters<typeof tf.fused.conv2d>[0]>) => () =>
      tf.sum(tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b, strides: 1, pad: 'same', activation: 'relu', ...extra }));
    const cases: [string, () => tf.Tensor][] = [
      ['elu', conv({ activation: 'elu' })],
      ['linear', conv({ activation: 'linear' })],
      ['no bias', conv({ bias: undefined })],
      ['prelu', conv({ activation: 'prelu', preluActivationWeights: tf.fill([3], 0.1) })],
      ['rank 3', conv({ x: tf.reshape(x, [5, 5, 2]) as unknown as tf.Tensor4D })],
      ['transposed', () => tf.sum(tf.fused.matMul({ a, b: m, transposeA: true, bias: tf.zeros([3]), activation: 'relu' }))],
    ];
    for (const [label, f] of cases) {
      if (label === 'transposed') {
        // a is [4, 6]; transposing it does not fit m, so TF.js's own op must report the shapes.
        assert.throws(() => tf.variableGrads(f as () => tf.Scalar), /inner shapes/);
        continue;
      }
      const r = await gradsOf(f, [w]);
      assert.ok(!r.kernels.some((k) => FUSED.includes(k)), `${label}: ${r.kernels.join()}`);
    }
    const info = await tf.profile(() => tf.dispose(conv({})()));
    assert.ok(info.kernelNames.includes('FusedConv2D') && !info.kernelNames.includes(CONV_BIAS_RELU_KERNEL), `inference: ${info.kernelNames.join()}`);
    tf.dispose([x, w, b, a, m]);
  });

  it('tfjs-layers Conv2D and Dense layers train through the fused kernels', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: 1 }) }),
        tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 8, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: 2 }) }),
        tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    const x = tensorOf(normal('tx', [6, 8, 8, 1]));
    const y = tf.tensor2d([0, 1, 0, 1, 1, 0], [6, 1]);
    const opt = tf.train.sgd(0.05);
    const loss = () => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar;
    const first = tf.tidy(() => loss().dataSync()[0]);
    const info = await tf.profile(() => opt.minimize(loss) ?? undefined);
    for (const k of FUSED) assert.ok(info.kernelNames.includes(k), `${k}: ${info.kernelNames.join()}`);
    for (let i = 0; i < 20; i++) tf.dispose(opt.minimize(loss) ?? undefined);
    const last = tf.tidy(() => loss().dataSync()[0]);
    assert.ok(last < first, `loss ${first} -> ${last}`);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('the ReLU-and-bias gradient kernel: dy·step(y) bit for bit (NaN, signed zero) and its column sums', () => {
    const y = tf.tensor2d([-2, -0, 0, 1e-30, 3, Number.NaN, -1e-30, 7, 0.5, 2, -3, 4], [3, 4]);
    const dy = tf.tensor2d([1.5, -2, 3, -4, 5, 6, -7, -8, 9, -10, 11, 12], [3, 4]);
    const [g, db] = tf.engine().runKernel(RELU_GRAD_BIAS_KERNEL, { dy, y }) as tf.Tensor[];
    const want = tf.mul(dy, tf.step(y));
    const g1 = g.dataSync();
    const w1 = want.dataSync();
    for (let i = 0; i < w1.length; i++) assert.ok(Object.is(g1[i], w1[i]), `g[${i}]: ${g1[i]} vs ${w1[i]}`);
    assertSameBits(db.dataSync() as Float32Array, tf.sum(g, 0).dataSync() as Float32Array, 'db');
    assert.deepEqual(db.shape, [4]);
    assert.throws(() => tf.engine().runKernel(RELU_GRAD_BIAS_KERNEL, { dy, y: tf.zeros([4, 3]) }), /MedtlReluGradBias: dy and y must be float32 of one shape, got float32 \[3, 4\] and float32 \[4, 3\]/);
    tf.dispose([y, dy, g, db, want]);
  });
});
