// Shared set-up for the compute tests: seeded data and wasm-vs-cpu comparisons.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-layers registers the gradient functions (tfjs-core's node bundle only defines them).
import '@tensorflow/tfjs-layers';
import assert from 'node:assert/strict';
import { registerWasmPatches } from '../../src/compute/kernels/index.js';
import { Rng } from '../../src/util/random.js';

/** Registers every wasm fix and makes wasm the active backend (the package's single-threaded build). */
export async function useWasm(): Promise<void> {
  // The cpu backend's "install tfjs-node" banner would only clutter the test output.
  (tf.findBackend('cpu') as unknown as { firstUse: boolean }).firstUse = false;
  registerWasmPatches();
  assert.ok(await tf.setBackend('wasm'), 'wasm backend must start');
}

/** Seeded standard-normal values for a shape (plain data, so each backend builds its own tensor). */
export function normal(seed: number | string, shape: readonly number[]): { values: Float32Array; shape: number[] } {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = rng.normal();
  return { values, shape: [...shape] };
}

/** Builds a tensor on the active backend from `normal` data. */
export function tensorOf(d: { values: Float32Array; shape: number[] }): tf.Tensor {
  return tf.tensor(d.values, d.shape, 'float32');
}

/** Runs `f` on wasm and on cpu, returning both results as plain arrays plus shapes; wasm stays active. */
export function onBoth(f: () => tf.Tensor): { wasm: Float32Array; cpu: Float32Array; wasmShape: number[]; cpuShape: number[] } {
  const run = (backend: string) => {
    tf.setBackend(backend);
    const t = tf.tidy(f);
    const out = { values: t.dataSync() as Float32Array, shape: t.shape };
    t.dispose();
    return out;
  };
  let c: { values: Float32Array; shape: number[] };
  try {
    c = run('cpu');
  } finally {
    tf.setBackend('wasm');
  }
  const w = run('wasm');
  return { wasm: w.values, cpu: c.values, wasmShape: w.shape, cpuShape: c.shape };
}

/**
 * Asserts max |wasm - cpu| <= tol * max(1, max |cpu|). Both backends sum float32 products in
 * different orders (XNNPACK blocks and SIMD lanes against a sequential JS loop), so results
 * differ by rounding only: about K * 2^-24 relative to the summed magnitudes for K terms.
 */
export function assertClose(
  r: { wasm: Float32Array; cpu: Float32Array; wasmShape: number[]; cpuShape: number[] },
  tol: number,
  label: string,
): void {
  assert.deepEqual(r.wasmShape, r.cpuShape, `${label}: shape`);
  let scale = 1;
  for (const v of r.cpu) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < r.cpu.length; i++) worst = Math.max(worst, Math.abs(r.wasm[i] - r.cpu[i]));
  assert.ok(Number.isFinite(worst) && worst <= tol * scale, `${label}: max diff ${worst} > ${tol} x ${scale}`);
}

/** Arrays the wasm backend holds (intermediates inside kernels are invisible to tf.memory()). */
export function wasmDataIds(): number {
  return tf.findBackend('wasm').numDataIds();
}
