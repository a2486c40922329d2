// tfjs-backend-wasm only hands a matmul to XNNPACK when neither operand is transposed and both
// have a batch of one; everything else goes to a scalar triple loop about 10x slower. Every
// backward pass of a Dense layer is `dy · Wᵀ` and `xᵀ · dy`, so training lives on that slow path.
// These wrappers make the operands fit the fast path (transpose copies, batch folding or a
// per-batch loop) and then call the stock kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  WASM,
  copyRows,
  prod,
  f32Offset,
  free,
  heapF32,
  transposeLast2,
  view,
  wasmKernel,
  type WasmKernelArgs,
  type WasmKernelFunc,
} from './wasm-internals.js';

/** Patch id for the BatchMatMul fix, as listed in ComputeInfo.patches. */
export const MATMUL_PATCH = 'wasm:BatchMatMul=transpose-then-xnnpack';
/** Patch id for the _FusedMatMul fix, as listed in ComputeInfo.patches. */
export const FUSED_MATMUL_PATCH = 'wasm:_FusedMatMul=transpose-then-xnnpack';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

interface FusedAttrs extends MatMulAttrs {
  activation: string;
  leakyreluAlpha?: number;
}

let stockBatchMatMul: tf.KernelConfig | undefined;
let stockFusedMatMul: tf.KernelConfig | undefined;

/** Shapes of a matmul after its transposes are applied, with its batch sizes and broadcast outer shape. */
export function matMulDims(a: tf.TensorInfo, b: tf.TensorInfo, attrs: MatMulAttrs) {
  const ar = a.shape.length;
  const br = b.shape.length;
  const m = attrs.transposeA ? a.shape[ar - 1] : a.shape[ar - 2];
  const k = attrs.transposeA ? a.shape[ar - 2] : a.shape[ar - 1];
  const kb = attrs.transposeB ? b.shape[br - 1] : b.shape[br - 2];
  const n = attrs.transposeB ? b.shape[br - 2] : b.shape[br - 1];
  if (k !== kb) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} ` +
        `and transposeA=${attrs.transposeA} and transposeB=${attrs.transposeB} must match.`,
    );
  }
  const aOuter = a.shape.slice(0, -2);
  const bOuter = b.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(aOuter, bOuter);
  return { m, k, n, aBatch: prod(aOuter), bBatch: prod(bOuter), outer };
}

/** Materialises the requested transposes; returns the new operands and what to free afterwards. */
function untranspose(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, attrs: MatMulAttrs) {
  const temps: tf.TensorInfo[] = [];
  let a2 = a;
  let b2 = b;
  if (attrs.transposeA) {
    a2 = transposeLast2(backend, a);
    temps.push(a2);
  }
  if (attrs.transposeB) {
    b2 = transposeLast2(backend, b);
    temps.push(b2);
  }
  return { a2, b2, temps };
}

/**
 * Runs `call(a_i, b_i)` per batch on [1, m, k] x [1, k, n] copies and gathers the results, so
 * each product takes the XNNPACK path. `aBatch` is 1 (broadcast) or equal to `batch`.
 */
function perBatch(
  backend: BackendWasm,
  a2: tf.TensorInfo,
  b2: tf.TensorInfo,
  d: { m: number; k: number; n: number; aBatch: number },
  batch: number,
  call: (a: tf.TensorInfo, b: tf.TensorInfo) => tf.TensorInfo,
): tf.TensorInfo {
  const { m, k, n } = d;
  const out = backend.makeOutput([batch, m, n], 'float32');
  for (let i = 0; i < batch; i++) {
    const ai = d.aBatch === 1 ? view(a2, [1, m, k]) : view(copyRows(backend, a2, m * k, i, i + 1), [1, m, k]);
    const bi = view(copyRows(backend, b2, k * n, i, i + 1), [1, k, n]);
    const r = call(ai, bi);
    const heap = heapF32(backend);
    const src = f32Offset(backend, r);
    heap.copyWithin(f32Offset(backend, out) + i * m * n, src, src + m * n);
    free(backend, r);
    free(backend, bi);
    if (d.aBatch !== 1) free(backend, ai);
  }
  return out;
}

function patchedBatchMatMul(args: WasmKernelArgs<MatMulAttrs>): tf.TensorInfo {
  const stock = stockBatchMatMul!.kernelFunc as unknown as WasmKernelFunc<MatMulAttrs>;
  const { a, b } = args.inputs;
  const { backend, attrs } = args;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
  const d = matMulDims(a, b, attrs);
  if (!attrs.transposeA && !attrs.transposeB && d.aBatch === 1 && d.bBatch === 1) return stock(args);

  const { a2, b2, temps } = untranspose(backend, a, b, attrs);
  const plain = { transposeA: false, transposeB: false };
  const batch = prod(d.outer);
  let out: tf.TensorInfo;
  if (d.bBatch === 1) {
    // A shared right operand: fold a's batch into its rows, one XNNPACK call.
    out = stock({ inputs: { a: view(a2, [1, d.aBatch * d.m, d.k]), b: view(b2, [1, d.k, d.n]) }, backend, attrs: plain });
  } else if (d.bBatch === batch && (d.aBatch === batch || d.aBatch === 1)) {
    out = perBatch(backend, a2, b2, d, batch, (ai, bi) => stock({ inputs: { a: ai, b: bi }, backend, attrs: plain }));
  } else {
    // Broadcasting over several outer axes: rare; still correct on the stock (slow) path.
    out = stock({ inputs: { a: a2, b: b2 }, backend, attrs: plain });
  }
  for (const t of temps) free(backend, t);
  return { dataId: out.dataId, shape: [...d.outer, d.m, d.n], dtype: 'float32' };
}

type FusedInputs = { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo; preluActivationWeights?: tf.TensorInfo };

function patchedFusedMatMul(args: WasmKernelArgs<FusedAttrs, FusedInputs>): tf.TensorInfo {
  const stock = stockFusedMatMul!.kernelFunc as unknown as WasmKernelFunc<FusedAttrs, FusedInputs>;
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const { backend, attrs } = args;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
  const d = matMulDims(a, b, attrs);
  // XNNPACK adds the bias per output column. A bias shaped like the whole output is only right
  // on the stock loop, so such calls stay there untouched.
  const columnBias = bias == null || (prod(bias.shape) === d.n && bias.shape[bias.shape.length - 1] === d.n);
  if (!columnBias) return stock(args);
  const foldable = d.bBatch === 1 && d.aBatch > 1 && preluActivationWeights == null;
  if (!attrs.transposeA && !attrs.transposeB && !foldable) return stock(args);

  const { a2, b2, temps } = untranspose(backend, a, b, attrs);
  const plainAttrs = { ...attrs, transposeA: false, transposeB: false };
  const inputs: FusedInputs = { ...args.inputs, a: a2, b: b2 };
  if (foldable) {
    // With a per-column bias, stacking the batches as extra rows changes nothing.
    inputs.a = view(a2, [1, d.aBatch * d.m, d.k]);
    inputs.b = view(b2, [1, d.k, d.n]);
  }
  const out = stock({ inputs, backend, attrs: plainAttrs });
  for (const t of temps) free(backend, t);
  return { dataId: out.dataId, shape: [...d.outer, d.m, d.n], dtype: 'float32' };
}

function replace(name: string, kernelFunc: unknown, stock: tf.KernelConfig): void {
  tf.unregisterKernel(name, WASM);
  tf.registerKernel({
    kernelName: name,
    backendName: WASM,
    // The stock setup binds the C entry point that the stock kernel (called by ours) uses.
    setupFunc: stock.setupFunc,
    disposeFunc: stock.disposeFunc,
    kernelFunc: kernelFunc as tf.KernelFunc,
  });
}

/** Replaces wasm BatchMatMul and _FusedMatMul with the fast-path wrappers; returns the patch ids (idempotent). */
export function registerMatMulPatches(): string[] {
  if (stockBatchMatMul === undefined) {
    stockBatchMatMul = wasmKernel(tf.BatchMatMul);
    replace(tf.BatchMatMul, patchedBatchMatMul, stockBatchMatMul);
  }
  if (stockFusedMatMul === undefined) {
    stockFusedMatMul = wasmKernel(tf._FusedMatMul);
    replace(tf._FusedMatMul, patchedFusedMatMul, stockFusedMatMul);
  }
  return [MATMUL_PATCH, FUSED_MATMUL_PATCH];
}
