// tfjs-backend-wasm ships no Conv2DBackpropFilter, so no CNN can train on it as shipped. This is
// the classic im2col formulation: dW[kh,kw,c,oc] = Σ_p patch[p,(kh,kw,c)] · dy[p,oc], with the
// patch matrix written transposed straight into the wasm heap and the product run by XNNPACK
// (through the patched BatchMatMul, which keeps it on the fast path).
import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, im2colT, imagesPerChunk, maxPatchElems } from './im2col.js';
import {
  WASM,
  copyRows,
  f32Offset,
  free,
  heapF32,
  runWasm,
  view,
  wasmKernel,
  type WasmKernelArgs,
} from './wasm-internals.js';

/** Patch id for the filter-gradient kernel, as listed in ComputeInfo.patches. */
export const CONV2D_BACKPROP_FILTER_PATCH = 'wasm:Conv2DBackpropFilter=im2col+xnnpack';

function conv2DBackpropFilter(args: WasmKernelArgs<tf.Conv2DBackpropFilterAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  let { x, dy } = args.inputs;
  const temps: tf.TensorInfo[] = [];
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error('medtl compute: Conv2DBackpropFilter on wasm supports float32 only');
  }
  const transpose = wasmKernel(tf.Transpose);
  if (attrs.dataFormat === 'NCHW') {
    // The patch loops are written for channels-last; two transposes are cheap next to the product.
    x = runWasm(transpose, backend, { x }, { perm: [0, 2, 3, 1] });
    dy = runWasm(transpose, backend, { x: dy }, { perm: [0, 2, 3, 1] });
    temps.push(x, dy);
  }
  const g = convGeometry(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const rows = g.kH * g.kW * g.inC;
  const perImage = g.outH * g.outW;
  const matMul = wasmKernel(tf.BatchMatMul);
  const plain = { transposeA: false, transposeB: false };
  const chunk = imagesPerChunk(g, maxPatchElems());

  if (g.batch * perImage === 0) {
    for (const t of temps) free(backend, t);
    return backend.makeOutput([...attrs.filterShape], 'float32', undefined, new Float32Array(rows * g.outC));
  }
  let dw: tf.TensorInfo | undefined;
  for (let n0 = 0; n0 < g.batch; n0 += chunk) {
    const n1 = Math.min(g.batch, n0 + chunk);
    const cols = (n1 - n0) * perImage;
    const colsT = backend.makeOutput([rows, cols], 'float32');
    const dyChunk = n1 - n0 === g.batch ? view(dy, [cols, g.outC]) : copyRows(backend, dy, perImage * g.outC, n0, n1);
    im2colT(heapF32(backend), f32Offset(backend, x), g, n0, n1, f32Offset(backend, colsT));
    const part = runWasm(matMul, backend, { a: view(colsT, [1, rows, cols]), b: view(dyChunk, [1, cols, g.outC]) }, plain);
    free(backend, colsT);
    if (dyChunk.dataId !== dy.dataId) free(backend, dyChunk);
    if (dw === undefined) {
      dw = part;
    } else {
      const heap = heapF32(backend);
      const acc = f32Offset(backend, dw);
      const add = f32Offset(backend, part);
      for (let i = 0; i < rows * g.outC; i++) heap[acc + i] += heap[add + i];
      free(backend, part);
    }
  }
  for (const t of temps) free(backend, t);
  return { dataId: dw!.dataId, shape: [...attrs.filterShape], dtype: 'float32' };
}

let registered = false;

/** Registers the wasm Conv2DBackpropFilter kernel unless the backend ships one; returns the patch ids it applied (idempotent). */
export function registerConv2DBackpropFilter(): string[] {
  if (!registered) {
    if (tf.getKernel(tf.Conv2DBackpropFilter, WASM) !== undefined) return [];
    tf.registerKernel({
      kernelName: tf.Conv2DBackpropFilter,
      backendName: WASM,
      kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
    });
    registered = true;
  }
  return [CONV2D_BACKPROP_FILTER_PATCH];
}
