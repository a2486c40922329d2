// Keeps convolution/dense + bias + ReLU fused while training. TF.js fuses them only outside
// gradient recording: under a tape, `tf.fused.conv2d` and `tf.fused.matMul` split into three
// kernels (product, bias add, ReLU) going forward and four going back (ReLU gradient, bias sum and
// the two product gradients), each with its own tape entry and saved-input clones. With the native
// kernels, medtl routes those calls to one kernel forward and, backward, to one ReLU-and-bias
// kernel plus the product gradients the tape asks for. The arithmetic is the unfused path's,
// operation for operation, so the results are the same bits (the ReLU mask is taken from the
// output, y > 0, which agrees with the pre-activation test except for a NaN pre-activation).
import * as tf from '@tensorflow/tfjs-core';
import { CONV_BIAS_RELU_KERNEL, MATMUL_BIAS_RELU_KERNEL, RELU_GRAD_BIAS_KERNEL, nativeKernelsActive } from './native.js';
import { WASM } from './wasm-internals.js';

type ConvArgs = Parameters<typeof tf.fused.conv2d>[0];
type MatMulArgs = Parameters<typeof tf.fused.matMul>[0];
type FusedOps = { conv2d: (args: ConvArgs) => tf.Tensor; matMul: (args: MatMulArgs) => tf.Tensor };

interface ConvReluAttrs {
  strides: [number, number] | number;
  pad: ConvArgs['pad'];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

let installed = false;

function ready(): boolean {
  return tf.engine().state.gradientDepth > 0 && nativeKernelsActive() && tf.getBackend() === WASM;
}

function isFloatTensor(t: unknown, rank: number): t is tf.Tensor {
  return t instanceof tf.Tensor && t.dtype === 'float32' && t.rank === rank;
}

function unitDilations(d: ConvArgs['dilations']): boolean {
  return d == null || (typeof d === 'number' ? d === 1 : d.every((v) => v === 1));
}

/** True when a `tf.fused.conv2d` call is one the fused training kernel computes exactly. */
function convFusable(a: ConvArgs): boolean {
  const { x, filter, bias } = a;
  return a.activation === 'relu' && a.preluActivationWeights == null && (a.dataFormat ?? 'NHWC') === 'NHWC' && unitDilations(a.dilations) &&
    isFloatTensor(x, 4) && isFloatTensor(filter, 4) && isFloatTensor(bias, 1) &&
    x.shape[3] === filter.shape[2] && bias.shape[0] === filter.shape[3];
}

/** True when a `tf.fused.matMul` call is one the fused training kernel computes exactly. */
function matMulFusable(a: MatMulArgs): boolean {
  const { a: x, b: w, bias } = a;
  return a.activation === 'relu' && a.preluActivationWeights == null && !a.transposeA && !a.transposeB &&
    isFloatTensor(x, 2) && isFloatTensor(w, 2) && isFloatTensor(bias, 1) &&
    x.shape[1] === w.shape[0] && bias.shape[0] === w.shape[1];
}

/** The ReLU-and-bias gradient, g = dy·step(y) and g summed over all but the last axis. */
function reluGradBias(dy: tf.Tensor, y: tf.Tensor): [tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(RELU_GRAD_BIAS_KERNEL, { dy, y }) as unknown as [tf.Tensor, tf.Tensor];
}

// The product gradients are TF.js's own Conv2D and BatchMatMul gradients applied to g; the tape
// calls only the ones it needs (not the input gradient of a first layer, nor a frozen layer's).
const convGrad: tf.GradConfig = {
  kernelName: CONV_BIAS_RELU_KERNEL,
  inputsToSave: ['x', 'filter'],
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved;
    const { strides, pad, dimRoundingMode } = attrs as unknown as ConvReluAttrs;
    const [g, db] = reluGradBias(dy as tf.Tensor, y);
    const common = { strides, pad, dimRoundingMode, dataFormat: 'NHWC' };
    return {
      x: () => tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: g, filter }, { ...common, inputShape: x.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      filter: () => tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: g }, { ...common, filterShape: filter.shape } as unknown as tf.NamedAttrMap) as tf.Tensor,
      bias: () => db,
    };
  },
};

const matMulGrad: tf.GradConfig = {
  kernelName: MATMUL_BIAS_RELU_KERNEL,
  inputsToSave: ['a', 'b'],
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [a, b, y] = saved;
    const [g, db] = reluGradBias(dy as tf.Tensor, y);
    return {
      a: () => tf.engine().runKernel(tf.BatchMatMul, { a: g, b }, { transposeA: false, transposeB: true }) as tf.Tensor,
      b: () => tf.engine().runKernel(tf.BatchMatMul, { a, b: g }, { transposeA: true, transposeB: false }) as tf.Tensor,
      bias: () => db,
    };
  },
};

/**
 * Routes ReLU-activated `tf.fused.conv2d` and `tf.fused.matMul` calls made under a gradient tape
 * (tfjs-layers' Conv2D and Dense while training) to the fused native kernels. Every other call,
 * and every call while the native kernels or the wasm backend are not in use, goes to TF.js's own
 * op. Idempotent; the patch ids are among the native kernels' (NATIVE_PATCHES).
 */
export function installFusedTraining(): void {
  if (installed) return;
  installed = true;
  tf.registerGradient(convGrad);
  tf.registerGradient(matMulGrad);
  // tfjs-core's `fused` is a plain object shared with tfjs-layers, so replacing its members
  // reaches the layers' calls.
  const ops = tf.fused as unknown as FusedOps;
  const conv2d = ops.conv2d;
  const matMul = ops.matMul;
  ops.conv2d = (a: ConvArgs): tf.Tensor => {
    if (!ready() || !convFusable(a)) return conv2d(a);
    const attrs = { strides: a.strides, pad: a.pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: a.dimRoundingMode, activation: 'relu' };
    return tf.engine().runKernel(CONV_BIAS_RELU_KERNEL, { x: a.x, filter: a.filter, bias: a.bias } as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  };
  ops.matMul = (a: MatMulArgs): tf.Tensor => {
    if (!ready() || !matMulFusable(a)) return matMul(a);
    const attrs = { transposeA: false, transposeB: false, activation: 'relu' };
    return tf.engine().runKernel(MATMUL_BIAS_RELU_KERNEL, { a: a.a, b: a.b, bias: a.bias } as tf.NamedTensorMap, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  };
}
