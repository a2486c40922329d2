// The stock wasm Conv2DBackpropInput is a scalar loop over every (pixel, tap, channel) triple.
// Here the same gradient is one XNNPACK product, dcols = dy · Wᵀ (rows = output pixels,
// columns = (kh, kw, c) taps), followed by a col2im scatter-add in JS. The product carries the
// O(outC) factor of the work, the scatter only touches each patch element once.
import * as tf from '@tensorflow/tfjs-core';
import { col2im, convGeometry, imagesPerChunk, maxPatchElems } from './im2col.js';
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

/** Patch id for the input-gradient kernel, as listed in ComputeInfo.patches. */
export const CONV2D_BACKPROP_INPUT_PATCH = 'wasm:Conv2DBackpropInput=xnnpack+col2im';

let registered = false;

function conv2DBackpropInput(args: WasmKernelArgs<tf.Conv2DBackpropInputAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  const { filter } = args.inputs;
  let { dy } = args.inputs;
  if (dy.dtype !== 'float32' || filter.dtype !== 'float32') {
    throw new Error('medtl compute: Conv2DBackpropInput on wasm supports float32 only');
  }
  const transpose = wasmKernel(tf.Transpose);
  const nchw = attrs.dataFormat === 'NCHW';
  const temps: tf.TensorInfo[] = [];
  let inShape = attrs.inputShape;
  if (nchw) {
    dy = runWasm(transpose, backend, { x: dy }, { perm: [0, 2, 3, 1] });
    temps.push(dy);
    inShape = [inShape[0], inShape[2], inShape[3], inShape[1]];
  }
  const fShape = filter.shape as [number, number, number, number];
  const g = convGeometry(inShape, fShape, attrs.strides, attrs.pad, attrs.dimRoundingMode);
  const taps = g.kH * g.kW * g.inC;
  const perImage = g.outH * g.outW;

  // dx starts at zero because col2im accumulates.
  let dx = backend.makeOutput([...inShape], 'float32');
  heapF32(backend).fill(0, f32Offset(backend, dx), f32Offset(backend, dx) + tf.util.sizeFromShape(inShape));
  if (g.batch * perImage > 0) {
    // Wᵀ is small ([outC, taps]); materialising it keeps the product off the slow transposed path.
    const wT = runWasm(transpose, backend, { x: view(filter, [taps, g.outC]) }, { perm: [1, 0] });
    const matMul = wasmKernel(tf.BatchMatMul);
    const plain = { transposeA: false, transposeB: false };
    const chunk = imagesPerChunk(g, maxPatchElems());
    for (let n0 = 0; n0 < g.batch; n0 += chunk) {
      const n1 = Math.min(g.batch, n0 + chunk);
      const rows = (n1 - n0) * perImage;
      const dyChunk = n1 - n0 === g.batch ? view(dy, [rows, g.outC]) : copyRows(backend, dy, perImage * g.outC, n0, n1);
      const dcols = runWasm(matMul, backend, { a: view(dyChunk, [1, rows, g.outC]), b: view(wT, [1, g.outC, taps]) }, plain);
      col2im(heapF32(backend), f32Offset(backend, dcols), g, n0, n1, f32Offset(backend, dx));
      free(backend, dcols);
      if (dyChunk.dataId !== dy.dataId) free(backend, dyChunk);
    }
    free(backend, wT);
  }
  if (nchw) {
    const back = runWasm(transpose, backend, { x: dx }, { perm: [0, 3, 1, 2] });
    free(backend, dx);
    dx = back;
  }
  for (const t of temps) free(backend, t);
  return dx;
}

/** Replaces the wasm Conv2DBackpropInput with the product + col2im version; returns the patch ids (idempotent). */
export function registerConv2DBackpropInput(): string[] {
  if (!registered) {
    if (tf.getKernel(tf.Conv2DBackpropInput, WASM) !== undefined) tf.unregisterKernel(tf.Conv2DBackpropInput, WASM);
    tf.registerKernel({
      kernelName: tf.Conv2DBackpropInput,
      backendName: WASM,
      kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc,
    });
    registered = true;
  }
  return [CONV2D_BACKPROP_INPUT_PATCH];
}
