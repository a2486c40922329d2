// The wasm backend has no UnsortedSegmentSum, which tf.gather's gradient calls: without it a model
// with categorical embeddings (an Embedding layer is a gather) cannot train on wasm. Summing rows
// into their segments is one pass; ids outside [0, numSegments) are dropped, as on the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { WASM, f32Offset, heapF32, type WasmKernelArgs } from './wasm-internals.js';

/** Patch id for the segment sum, as listed in ComputeInfo.patches. */
export const UNSORTED_SEGMENT_SUM_PATCH = 'wasm:UnsortedSegmentSum=row-scatter';

let registered = false;

function unsortedSegmentSum(args: WasmKernelArgs<tf.UnsortedSegmentSumAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  const { x, segmentIds } = args.inputs;
  if (x.dtype !== 'float32') throw new Error('medtl compute: UnsortedSegmentSum on wasm supports float32 only');
  const lead = segmentIds.shape.length;
  if (x.shape.slice(0, lead).some((d, i) => d !== segmentIds.shape[i])) {
    throw new Error(`medtl compute: UnsortedSegmentSum: segmentIds shape [${segmentIds.shape.join(', ')}] is not a prefix of x shape [${x.shape.join(', ')}]`);
  }
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const rowLen = tf.util.sizeFromShape(x.shape.slice(lead));
  const ids = backend.readSync(segmentIds.dataId) as Int32Array | Float32Array;
  const out = backend.makeOutput([attrs.numSegments, ...x.shape.slice(lead)], 'float32');
  // Fetched after makeOutput: an allocation may grow (and so replace) the heap buffer.
  const heap = heapF32(backend);
  const xo = f32Offset(backend, x);
  const oo = f32Offset(backend, out);
  heap.fill(0, oo, oo + attrs.numSegments * rowLen);
  for (let r = 0; r < rows; r++) {
    const s = ids[r];
    if (s < 0 || s >= attrs.numSegments) continue;
    const src = xo + r * rowLen;
    const dst = oo + s * rowLen;
    for (let j = 0; j < rowLen; j++) heap[dst + j] += heap[src + j];
  }
  return out;
}

/** Registers UnsortedSegmentSum for wasm (where it is missing); returns the patch ids (idempotent). */
export function registerUnsortedSegmentSum(): string[] {
  if (!registered) {
    if (tf.getKernel(tf.UnsortedSegmentSum, WASM) !== undefined) tf.unregisterKernel(tf.UnsortedSegmentSum, WASM);
    tf.registerKernel({ kernelName: tf.UnsortedSegmentSum, backendName: WASM, kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc });
    registered = true;
  }
  return [UNSORTED_SEGMENT_SUM_PATCH];
}
