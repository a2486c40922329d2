// Loads medtl's optional native addon (native/, OpenBLAS GEMMs over the wasm heap). It is built at
// install time where a C compiler and OpenBLAS exist; everywhere else medtl runs on wasm alone.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's functions; offsets are float32 indices into the heap array passed with each call. */
export interface NativeKernels {
  /** Row-major C[b] = op(A[b])·op(B[b]) (+ beta·C[b]) for b < batch; a stride of 0 broadcasts. */
  gemm(heap: Float32Array, transA: boolean, transB: boolean, m: number, n: number, k: number, aOff: number, bOff: number, cOff: number, batch: number, strideA: number, strideB: number, strideC: number, beta: number): void;
  /** Adds a per-column bias (biasOff -1: none) and applies an activation code to [rows, n] in place. */
  biasAct(heap: Float32Array, cOff: number, rows: number, n: number, biasOff: number, act: number, alpha: number, preluOff: number, preluLen: number): void;
  /** NHWC convolution: kind 0 forward (x, w → y, plus an optional per-channel bias at biasOff and ReLU), 1 filter gradient (x, dy → dw), 2 input gradient (dy, w → dx). */
  conv(heap: Float32Array, kind: 0 | 1 | 2, aOff: number, bOff: number, outOff: number, geometry: Int32Array, biasOff?: number, relu?: 0 | 1): void;
  /** One Adam step (TF.js's formula) from p, g, m, v into fresh outputs; c1, c2 are 1 − β^t; l2 > 0 adds the gradient of l2·Σp² first. */
  adam(heap: Float32Array, p: number, g: number, m: number, v: number, pOut: number, mOut: number, vOut: number, n: number, lr: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number, eps: number, c1: number, c2: number, l2: number): void;
  /** out = dy·step(x), TF.js's ReLU gradient, over n floats. */
  reluGrad(heap: Float32Array, dyOff: number, xOff: number, outOff: number, n: number): void;
  /** g = dy·step(y) over a row-major [rows, cols] block and db = g's column sums (summed as sumRows does). */
  reluGradBias(heap: Float32Array, dyOff: number, yOff: number, gOff: number, dbOff: number, rows: number, cols: number): void;
  /** Sum of squares of n floats (in double). */
  sumSquares(heap: Float32Array, off: number, n: number): number;
  /** Max-pool gradient by arg-max scatter; geometry is [batch, inH, inW, C, outH, outW, fH, fW, sH, sW, padTop, padLeft]. */
  maxPoolGrad(heap: Float32Array, xOff: number, dyOff: number, dxOff: number, geometry: Int32Array): void;
  /** Column sums of a row-major [rows, cols] block (a reduction over leading axes). */
  sumRows(heap: Float32Array, xOff: number, outOff: number, rows: number, cols: number): void;
  /** out[i, j] = a[i, j] + b[j] over a row-major [rows, n] block (a bias add). */
  addRows(heap: Float32Array, aOff: number, bOff: number, outOff: number, rows: number, n: number): void;
  /** Switches convolutions to oneDNN (where compiled in) or im2col + OpenBLAS when given; returns the engine in use. */
  convEngine(name?: 'onednn' | 'im2col'): 'onednn' | 'im2col';
  /** Sets OpenBLAS's thread count. */
  setThreads(n: number): void;
  /** OpenBLAS's thread count. */
  getThreads(): number;
}

/** Environment variable that switches the native kernels off (`0`) even where the addon is built. */
export const NATIVE_ENV = 'MEDTL_NATIVE';

/** Where the install step writes the addon, relative to the package root. */
export const NATIVE_ADDON_PATH = join('native', 'build', 'Release', 'medtl_native.node');

/** Result of looking for the addon: the kernels, or why there are none. */
export type NativeLoad = { ok: true; kernels: NativeKernels; path: string } | { ok: false; reason: string };

let cached: NativeLoad | undefined;

function packageRoot(): string {
  // src/compute/native.ts and dist/compute/native.js both sit two levels below the root.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Loads the addon once; never throws, so callers fall back to wasm with the reason. */
export function loadNative(): NativeLoad {
  if (cached !== undefined) return cached;
  const flag = process.env[NATIVE_ENV]?.trim();
  if (flag === '0' || flag === 'false' || flag === 'off') {
    cached = { ok: false, reason: `${NATIVE_ENV}=${flag}` };
    return cached;
  }
  const path = join(packageRoot(), NATIVE_ADDON_PATH);
  if (!existsSync(path)) {
    cached = { ok: false, reason: `native addon not built (${NATIVE_ADDON_PATH}; npm run build:native needs OpenBLAS)` };
    return cached;
  }
  // OpenMP reads its wait policy once, when the addon's dependencies load. Its default has idle
  // team threads spin for a while before sleeping, which on busy cores takes the time slices the
  // thread with work needs: a two-thread demo ran 260 s against 49 s passive with other processes
  // on both cores (docs/compute.md). The user's own setting wins.
  if (process.env.OMP_WAIT_POLICY === undefined && process.env.GOMP_SPINCOUNT === undefined) process.env.OMP_WAIT_POLICY = 'passive';
  try {
    const kernels = createRequire(import.meta.url)(path) as NativeKernels;
    cached = { ok: true, kernels, path };
  } catch (e) {
    cached = { ok: false, reason: `native addon failed to load (${(e as Error).message.split('\n')[0]})` };
  }
  return cached;
}

/** Whether the native kernels can run in this process, and if not why (the addon stays private to src/compute). */
export function nativeAvailability(): { ok: true } | { ok: false; reason: string } {
  const native = loadNative();
  return native.ok ? { ok: true } : { ok: false, reason: native.reason };
}
