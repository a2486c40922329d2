import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Name of the backend the kernel fixes in this folder register for. */
export const WASM = 'wasm';

/** Named kernel inputs; tfjs-core checks that required ones are present before the kernel runs. */
export type KernelInputs = Record<string, tf.TensorInfo>;

/** Arguments every kernel function receives, typed for the wasm backend. */
export interface WasmKernelArgs<A = tf.NamedAttrMap, I = KernelInputs> {
  inputs: I;
  backend: BackendWasm;
  attrs: A;
}

/** Kernel function signature on the wasm backend (single output). */
export type WasmKernelFunc<A = tf.NamedAttrMap, I = KernelInputs> = (args: WasmKernelArgs<A, I>) => tf.TensorInfo;

/** Product of a shape's dimensions (1 for a scalar). */
export function prod(xs: readonly number[]): number {
  let p = 1;
  for (const x of xs) p *= x;
  return p;
}

/** Looks up a kernel registered for wasm, throwing a clear error when it is missing. */
export function wasmKernel(name: string): tf.KernelConfig {
  const k = tf.getKernel(name, WASM);
  if (k === undefined) throw new Error(`medtl compute: wasm kernel '${name}' is not registered`);
  return k;
}

/** Runs a registered wasm kernel directly; the result is untracked, so the caller must free it. */
export function runWasm<A extends object>(
  kernel: tf.KernelConfig,
  backend: BackendWasm,
  inputs: KernelInputs,
  attrs: A,
): tf.TensorInfo {
  const out = kernel.kernelFunc({ inputs, backend, attrs: attrs as unknown as tf.NamedAttrMap });
  if (Array.isArray(out)) throw new Error(`medtl compute: '${kernel.kernelName}' returned several outputs`);
  return out as tf.TensorInfo;
}

/** Frees an intermediate produced inside a kernel (one reference). */
export function free(backend: BackendWasm, info: tf.TensorInfo): void {
  backend.disposeData(info.dataId);
}

/** A Float32Array over the whole wasm heap; fetch it again after any allocation. */
export function heapF32(backend: BackendWasm): Float32Array {
  // Growing the memory replaces the buffer, and with shared (threaded) memory the module's cached
  // HEAP views are refreshed lazily, so the memory object is the source of truth when there is one.
  const mod = backend.wasm as unknown as { wasmMemory?: { buffer: ArrayBufferLike }; HEAPU8: Uint8Array };
  const buf = mod.wasmMemory !== undefined ? mod.wasmMemory.buffer : mod.HEAPU8.buffer;
  return new Float32Array(buf);
}

/** Index of a float32 tensor's first element in `heapF32(backend)`. */
export function f32Offset(backend: BackendWasm, info: tf.TensorInfo): number {
  const off = backend.dataIdMap.get(info.dataId)!.memoryOffset;
  if (off % 4 !== 0) throw new Error('medtl compute: unaligned float32 tensor in the wasm heap');
  return off / 4;
}

/** The same data under another shape, without copying or touching reference counts. */
export function view(info: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Float32 copy of rows [start, end) of a tensor viewed as [rows, rowLen]. */
export function copyRows(
  backend: BackendWasm,
  src: tf.TensorInfo,
  rowLen: number,
  start: number,
  end: number,
): tf.TensorInfo {
  const out = backend.makeOutput([end - start, rowLen], 'float32');
  const heap = heapF32(backend);
  const s = f32Offset(backend, src) + start * rowLen;
  heap.copyWithin(f32Offset(backend, out), s, s + (end - start) * rowLen);
  return out;
}

/** Transposes the last two axes of a float32 tensor with the wasm Transpose kernel. */
export function transposeLast2(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return runWasm(wasmKernel(tf.Transpose), backend, { x }, { perm });
}
