// Routes the wasm backend's heavy kernels to medtl's native addon: matmuls and NHWC convolutions
// (forward and both gradients) become OpenBLAS GEMMs on the wasm heap in place, and Adam gets a
// one-pass update kernel. Anything the addon does not cover (other dtypes, NCHW, multi-axis
// broadcasting, full-shape biases) falls through to the kernel that was registered before.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeKernels } from '../native.js';
import { matMulDims } from './matmul-transpose.js';
import { WASM, f32Offset, heapF32, prod, wasmKernel, type KernelInputs, type WasmKernelArgs, type WasmKernelFunc } from './wasm-internals.js';

/** Patch ids of the native kernels, as listed in ComputeInfo.patches. */
export const NATIVE_PATCHES = {
  matmul: 'native:BatchMatMul=openblas',
  fusedMatmul: 'native:_FusedMatMul=openblas',
  conv: 'native:Conv2D=im2col+openblas',
  fusedConv: 'native:_FusedConv2D=im2col+openblas',
  filter: 'native:Conv2DBackpropFilter=im2col+openblas',
  input: 'native:Conv2DBackpropInput=openblas+col2im',
  adam: 'native:MedtlAdam=fused',
  reluGrad: 'native:MedtlReluGrad=fused (Relu gradient)',
  convBiasRelu: 'native:fused.conv2d=conv+bias+relu while training',
  matMulBiasRelu: 'native:fused.matMul=matmul+bias+relu while training',
  maxPoolGrad: 'native:MaxPoolGrad=argmax-scatter',
  sum: 'native:Sum=leading-axes',
  add: 'native:Add=bias-rows',
  identity: 'native:Identity=shared-buffer',
  cast: 'native:Cast=shared-buffer-when-same-dtype',
} as const;

/** Name of the fused ReLU-gradient kernel (inputs dy, x; output dy·step(x)). */
export const RELU_GRAD_KERNEL = 'MedtlReluGrad';

/** Name of the convolution + bias + ReLU kernel used while training (inputs x, filter, bias; FusedConv2D's attributes). */
export const CONV_BIAS_RELU_KERNEL = 'MedtlConv2DBiasRelu';

/** Name of the matmul + bias + ReLU kernel used while training (inputs a, b, bias; _FusedMatMul's attributes). */
export const MATMUL_BIAS_RELU_KERNEL = 'MedtlMatMulBiasRelu';

/** Name of the ReLU-and-bias gradient kernel (inputs dy, y; outputs g = dy·step(y) and g's column sums). */
export const RELU_GRAD_BIAS_KERNEL = 'MedtlReluGradBias';

/** Name of the fused Adam kernel (inputs p, g, m, v; outputs p', m', v'). */
export const ADAM_KERNEL = 'MedtlAdam';

/** Attributes of the fused Adam kernel: the step's learning rate, betas, epsilon and 1 − β^t. */
export interface AdamKernelAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  /** Weight of an L2 penalty Σp² whose gradient is added before the step (0: none). */
  l2?: number;
}

const ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, elu: 3, sigmoid: 4, leakyrelu: 5, prelu: 6 };

let native: NativeKernels | undefined;
const previous = new Map<string, tf.KernelConfig>();

function fallback<A, I>(name: string, args: WasmKernelArgs<A, I>): tf.TensorInfo {
  return (previous.get(name)!.kernelFunc as unknown as WasmKernelFunc<A, I>)(args);
}

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  activation?: string;
  leakyreluAlpha?: number;
}

type MatMulInputs = { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };

/** Bias and activation for the addon, or undefined when they need the general (fallback) path. */
function epilogue(backend: BackendWasm, n: number, attrs: { activation?: string; leakyreluAlpha?: number }, bias?: tf.TensorInfo, prelu?: tf.TensorInfo) {
  const act = ACTIVATIONS[attrs.activation ?? 'linear'];
  if (act === undefined) return undefined;
  // Only per-channel biases and PReLU weights map onto the addon's row-wise epilogue.
  if (bias != null && (bias.dtype !== 'float32' || prod(bias.shape) !== n)) return undefined;
  if (prelu != null && (prelu.dtype !== 'float32' || prod(prelu.shape) !== n)) return undefined;
  if (act === ACTIVATIONS.prelu && prelu == null) return undefined;
  return {
    act,
    alpha: attrs.leakyreluAlpha ?? 0.2,
    bias: bias == null ? -1 : f32Offset(backend, bias),
    prelu: prelu == null ? -1 : f32Offset(backend, prelu),
    preluLen: prelu == null ? 0 : n,
    needed: bias != null || act !== 0,
  };
}

function matMul(name: string, args: WasmKernelArgs<MatMulAttrs, MatMulInputs>): tf.TensorInfo {
  const { backend, attrs } = args;
  const { a, b, bias, preluActivationWeights } = args.inputs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(name, args);
  const { m, k, n, aBatch, bBatch, outer } = matMulDims(a, b, attrs);
  const batch = prod(outer);
  // One operand batched and the other shared or equally batched; anything else broadcasts over
  // several axes and stays on the general path.
  if (!((aBatch === batch || aBatch === 1) && (bBatch === batch || bBatch === 1))) return fallback(name, args);
  const ep = epilogue(backend, n, attrs, bias, preluActivationWeights);
  if (ep === undefined) return fallback(name, args);
  const out = backend.makeOutput([...outer, m, n], 'float32');
  if (batch * m * n === 0) return out;
  const heap = heapF32(backend);
  const ao = f32Offset(backend, a);
  const bo = f32Offset(backend, b);
  const co = f32Offset(backend, out);
  if (bBatch === 1 && aBatch > 1 && !attrs.transposeA) {
    // A shared right operand: stacking a's batches as rows makes one large GEMM.
    native!.gemm(heap, false, attrs.transposeB, aBatch * m, n, k, ao, bo, co, 1, 0, 0, 0, 0);
  } else {
    native!.gemm(heap, attrs.transposeA, attrs.transposeB, m, n, k, ao, bo, co, batch, aBatch === 1 ? 0 : m * k, bBatch === 1 ? 0 : k * n, m * n, 0);
  }
  if (ep.needed) native!.biasAct(heap, co, batch * m, n, ep.bias, ep.act, ep.alpha, ep.prelu, ep.preluLen);
  return out;
}

/** The addon's geometry array for an NHWC convolution. */
function geometry(info: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.padInfo.top, info.padInfo.left, info.dilationHeight, info.dilationWidth,
  ]);
}

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation?: string;
  leakyreluAlpha?: number;
}

type ConvInputs = { x: tf.TensorInfo; filter: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };

function conv2D(name: string, args: WasmKernelArgs<ConvAttrs, ConvInputs>): tf.TensorInfo {
  const { backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || attrs.dataFormat === 'NCHW') return fallback(name, args);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  const ep = epilogue(backend, info.outChannels, attrs, bias, preluActivationWeights);
  if (ep === undefined) return fallback(name, args);
  const out = backend.makeOutput(info.outShape, 'float32');
  if (prod(info.outShape) === 0) return out;
  const heap = heapF32(backend);
  const yo = f32Offset(backend, out);
  if (ep.act === ACTIVATIONS.linear || ep.act === ACTIVATIONS.relu) {
    // The addon applies a bias and ReLU itself (inside oneDNN's convolution where it runs there).
    native!.conv(heap, 0, f32Offset(backend, x), f32Offset(backend, filter), yo, geometry(info), ep.bias, ep.act === ACTIVATIONS.relu ? 1 : 0);
    return out;
  }
  native!.conv(heap, 0, f32Offset(backend, x), f32Offset(backend, filter), yo, geometry(info));
  if (ep.needed) {
    native!.biasAct(heap, yo, prod(info.outShape) / info.outChannels, info.outChannels, ep.bias, ep.act, ep.alpha, ep.prelu, ep.preluLen);
  }
  return out;
}

/** Runs one native convolution kind into a fresh output of `outShape` (zero-sized shapes skip the call). */
function nativeConv(backend: BackendWasm, kind: 0 | 1 | 2, a: tf.TensorInfo, b: tf.TensorInfo, outShape: number[], info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  if (prod(outShape) > 0) native!.conv(heapF32(backend), kind, f32Offset(backend, a), f32Offset(backend, b), f32Offset(backend, out), geometry(info));
  return out;
}

function backpropFilter(args: WasmKernelArgs<tf.Conv2DBackpropFilterAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  const { x, dy } = args.inputs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || attrs.dataFormat === 'NCHW') return fallback(tf.Conv2DBackpropFilter, args);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  return nativeConv(backend, 1, x, dy, [...attrs.filterShape], info);
}

function backpropInput(args: WasmKernelArgs<tf.Conv2DBackpropInputAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  const { dy, filter } = args.inputs;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32' || attrs.dataFormat === 'NCHW') return fallback(tf.Conv2DBackpropInput, args);
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  return nativeConv(backend, 2, dy, filter, [...attrs.inputShape], info);
}

/** One native Adam step from p, g, m, v into the given outputs (which may be m and v themselves). */
function runAdam(backend: BackendWasm, inputs: tf.TensorInfo[], outputs: tf.TensorInfo[], n: number, attrs: AdamKernelAttrs): void {
  const [p, g, m, v] = inputs.map((t) => f32Offset(backend, t));
  const [p2, m2, v2] = outputs.map((t) => f32Offset(backend, t));
  native!.adam(
    heapF32(backend), p, g, m, v, p2, m2, v2, n,
    // 1 − β is rounded from double as TF.js rounds its JS-side constant.
    attrs.learningRate, attrs.beta1, 1 - attrs.beta1, attrs.beta2, 1 - attrs.beta2, attrs.epsilon, attrs.oneMinusAccBeta1, attrs.oneMinusAccBeta2, attrs.l2 ?? 0,
  );
}

function adam(args: WasmKernelArgs<AdamKernelAttrs>): tf.TensorInfo[] {
  const { backend, attrs } = args;
  const { p, g, m, v } = args.inputs;
  const n = prod(p.shape);
  for (const [key, t] of Object.entries(args.inputs)) {
    if (t.dtype !== 'float32' || prod(t.shape) !== n) {
      throw new Error(`${ADAM_KERNEL}: input '${key}' must be float32 with ${n} elements, got ${t.dtype} [${t.shape.join(', ')}]`);
    }
  }
  const outs = [backend.makeOutput(p.shape, 'float32'), backend.makeOutput(p.shape, 'float32'), backend.makeOutput(p.shape, 'float32')];
  if (n > 0) runAdam(backend, [p, g, m, v], outs, n, attrs);
  return outs;
}

function maxPoolGrad(args: WasmKernelArgs<tf.MaxPoolGradAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  const { dy, input } = args.inputs;
  if (dy.dtype !== 'float32' || input.dtype !== 'float32') return fallback(tf.MaxPoolGrad, args);
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode,
  );
  const out = backend.makeOutput([...input.shape], 'float32');
  if (prod(input.shape) === 0) return out;
  const geom = Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.effectiveFilterHeight, info.effectiveFilterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left,
  ]);
  native!.maxPoolGrad(heapF32(backend), f32Offset(backend, input), f32Offset(backend, dy), f32Offset(backend, out), geom);
  return out;
}

function sum(args: WasmKernelArgs<tf.SumAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((p, q) => p - q);
  // Only a reduction over leading axes (keeping at least one) is a plain column sum.
  const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
  if (x.dtype !== 'float32' || !leading) return fallback(tf.Sum, args);
  const kept = x.shape.slice(axes.length);
  const shape = attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept;
  const out = backend.makeOutput(shape, 'float32');
  const cols = prod(kept);
  if (cols === 0) return out;
  native!.sumRows(heapF32(backend), f32Offset(backend, x), f32Offset(backend, out), prod(x.shape) / cols, cols);
  return out;
}

function add(args: WasmKernelArgs<tf.NamedAttrMap>): tf.TensorInfo {
  const { backend } = args;
  const { a, b } = args.inputs;
  // a + bias with the bias along the last axis (either side); other broadcasts stay on wasm.
  const [big, vec] = b.shape.length === 1 ? [a, b] : [b, a];
  const n = big.shape[big.shape.length - 1];
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || vec.shape.length !== 1 || big.shape.length < 2 || vec.shape[0] !== n) {
    return fallback(tf.Add, args);
  }
  const out = backend.makeOutput([...big.shape], 'float32');
  const size = prod(big.shape);
  if (size === 0) return out;
  native!.addRows(heapF32(backend), f32Offset(backend, big), f32Offset(backend, vec), f32Offset(backend, out), size / n, n);
  return out;
}

function identity(args: WasmKernelArgs<tf.NamedAttrMap>): tf.TensorInfo {
  // No kernel writes into its inputs, so an identity can share the buffer (as the cpu backend
  // does) instead of copying it; the reference count keeps it alive for both tensors.
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

function cast(args: WasmKernelArgs<tf.CastAttrs>): tf.TensorInfo {
  // TF.js's ReLU gradient casts a float32 mask to float32 on every step; wasm copies it.
  const { x } = args.inputs;
  if (x.dtype !== args.attrs.dtype) return fallback(tf.Cast, args);
  return identity(args as unknown as WasmKernelArgs<tf.NamedAttrMap>);
}

/**
 * One fused Adam step that updates the moments m and v in place and returns the new weights as a
 * fresh tensor, or undefined when the native kernels are not in use or in-place is not safe (a
 * moment shares its buffer with another tensor). The weights are never written in place: wasm
 * kernels cache packed weights by tensor id, and a new tensor is what keeps those caches honest.
 */
export function nativeAdamStep(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, attrs: AdamKernelAttrs): tf.Tensor | undefined {
  if (native === undefined || tf.getBackend() !== WASM) return undefined;
  const backend = tf.backend() as unknown as BackendWasm;
  const n = p.size;
  for (const t of [p, g, m, v]) if (t.dtype !== 'float32' || t.size !== n) return undefined;
  // Only this optimizer holds its moments unless someone cloned them (clones share buffers).
  if (backend.refCount(m.dataId) !== 1 || backend.refCount(v.dataId) !== 1) return undefined;
  const out = backend.makeOutput([...p.shape], 'float32');
  if (n > 0) runAdam(backend, [p, g, m, v], [out, m, v], n, attrs);
  return tf.engine().makeTensorFromTensorInfo(out);
}

/** Σx² of a float32 tensor through the native kernels, or undefined where they are not in use. */
export function nativeSumSquares(x: tf.Tensor): number | undefined {
  if (native === undefined || tf.getBackend() !== WASM || x.dtype !== 'float32') return undefined;
  const backend = tf.backend() as unknown as BackendWasm;
  return x.size === 0 ? 0 : native.sumSquares(heapF32(backend), f32Offset(backend, x), x.size);
}

function reluGrad(args: WasmKernelArgs<tf.NamedAttrMap>): tf.TensorInfo {
  const { backend } = args;
  const { dy, x } = args.inputs;
  const out = backend.makeOutput([...x.shape], 'float32');
  const n = prod(x.shape);
  if (n > 0) native!.reluGrad(heapF32(backend), f32Offset(backend, dy), f32Offset(backend, x), f32Offset(backend, out), n);
  return out;
}

function reluGradBias(args: WasmKernelArgs<tf.NamedAttrMap>): tf.TensorInfo[] {
  const { backend } = args;
  const { dy, y } = args.inputs;
  if (dy.dtype !== 'float32' || y.dtype !== 'float32' || y.shape.length < 1 || !tf.util.arraysEqual(dy.shape, y.shape)) {
    throw new Error(`${RELU_GRAD_BIAS_KERNEL}: dy and y must be float32 of one shape, got ${dy.dtype} [${dy.shape.join(', ')}] and ${y.dtype} [${y.shape.join(', ')}]`);
  }
  const cols = y.shape[y.shape.length - 1];
  const g = backend.makeOutput([...y.shape], 'float32');
  const db = backend.makeOutput([cols], 'float32');
  const n = prod(y.shape);
  if (cols > 0) {
    const heap = heapF32(backend);
    native!.reluGradBias(heap, f32Offset(backend, dy), f32Offset(backend, y), f32Offset(backend, g), f32Offset(backend, db), n / cols, cols);
  }
  return [g, db];
}

/**
 * TF.js's ReLU gradient, dy·cast(step(x)), as one kernel where the backend has it: three kernels
 * and two temporaries per ReLU per step otherwise. The formula is the same, so is every bit.
 */
const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const g = dy as tf.Tensor;
    const fused = g.dtype === 'float32' && x.dtype === 'float32' && tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend()) !== undefined;
    return { x: () => (fused ? (tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: g, x }) as tf.Tensor) : tf.mul(g, tf.cast(tf.step(x), 'float32'))) };
  },
};

function replace(name: string, kernelFunc: (args: WasmKernelArgs<never, never>) => tf.TensorInfo | tf.TensorInfo[]): void {
  const stock = tf.getKernel(name, WASM);
  if (stock !== undefined) {
    previous.set(name, stock);
    tf.unregisterKernel(name, WASM);
  }
  tf.registerKernel({
    kernelName: name,
    backendName: WASM,
    // The previous kernel's setup binds the C entry points its own function (our fallback) uses.
    setupFunc: stock?.setupFunc,
    disposeFunc: stock?.disposeFunc,
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
  });
}

/** True once the native kernels are registered for wasm. */
export function nativeKernelsActive(): boolean {
  return native !== undefined;
}

/** Registers the addon's kernels over the wasm ones (after medtl's wasm fixes); returns the patch ids (idempotent). */
export function registerNativeKernels(kernels: NativeKernels): string[] {
  if (native === undefined) {
    // Fallbacks must exist before we take their place; these are medtl's own wasm fixes.
    for (const k of [tf.BatchMatMul, tf._FusedMatMul, tf.Conv2D, tf.FusedConv2D, tf.Conv2DBackpropFilter, tf.Conv2DBackpropInput, tf.MaxPoolGrad, tf.Sum, tf.Add, tf.Identity, tf.Cast]) wasmKernel(k);
    native = kernels;
    replace(tf.BatchMatMul, (a) => matMul(tf.BatchMatMul, a as WasmKernelArgs<MatMulAttrs, MatMulInputs>));
    replace(tf._FusedMatMul, (a) => matMul(tf._FusedMatMul, a as WasmKernelArgs<MatMulAttrs, MatMulInputs>));
    replace(tf.Conv2D, (a) => conv2D(tf.Conv2D, a as WasmKernelArgs<ConvAttrs, ConvInputs>));
    replace(tf.FusedConv2D, (a) => conv2D(tf.FusedConv2D, a as WasmKernelArgs<ConvAttrs, ConvInputs>));
    replace(tf.Conv2DBackpropFilter, (a) => backpropFilter(a as WasmKernelArgs<tf.Conv2DBackpropFilterAttrs>));
    replace(tf.Conv2DBackpropInput, (a) => backpropInput(a as WasmKernelArgs<tf.Conv2DBackpropInputAttrs>));
    replace(tf.MaxPoolGrad, (a) => maxPoolGrad(a as WasmKernelArgs<tf.MaxPoolGradAttrs>));
    replace(tf.Sum, (a) => sum(a as WasmKernelArgs<tf.SumAttrs>));
    replace(tf.Add, (a) => add(a as WasmKernelArgs<tf.NamedAttrMap>));
    replace(tf.Identity, (a) => identity(a as WasmKernelArgs<tf.NamedAttrMap>));
    replace(tf.Cast, (a) => cast(a as WasmKernelArgs<tf.CastAttrs>));
    replace(ADAM_KERNEL, (a) => adam(a as unknown as WasmKernelArgs<AdamKernelAttrs, KernelInputs>));
    replace(RELU_GRAD_KERNEL, (a) => reluGrad(a as WasmKernelArgs<tf.NamedAttrMap>));
    replace(RELU_GRAD_BIAS_KERNEL, (a) => reluGradBias(a as WasmKernelArgs<tf.NamedAttrMap>));
    // FusedConv2D and _FusedMatMul fall back to wasm for what the addon does not cover; so do these.
    previous.set(CONV_BIAS_RELU_KERNEL, previous.get(tf.FusedConv2D)!);
    previous.set(MATMUL_BIAS_RELU_KERNEL, previous.get(tf._FusedMatMul)!);
    replace(CONV_BIAS_RELU_KERNEL, (a) => conv2D(CONV_BIAS_RELU_KERNEL, a as WasmKernelArgs<ConvAttrs, ConvInputs>));
    replace(MATMUL_BIAS_RELU_KERNEL, (a) => matMul(MATMUL_BIAS_RELU_KERNEL, a as WasmKernelArgs<MatMulAttrs, MatMulInputs>));
    tf.registerGradient(reluGradConfig);
  }
  return Object.values(NATIVE_PATCHES);
}
