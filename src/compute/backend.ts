// Picks the TF.js backend for this process: tfjs-node where it installed, else the wasm backend
// (threaded SIMD where Node allows it) with medtl's kernel fixes, else the pure-JS cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import * as os from 'node:os';
import { loadNative } from './native.js';

/** A TF.js backend medtl can run on. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** Options for `initCompute`. */
export interface ComputeOptions {
  /** Backend to try first; the others remain fallbacks unless MEDTL_BACKEND forces one. */
  prefer?: BackendName;
  /**
   * Threads for the compute kernels; else MEDTL_WASM_THREADS; else one per core. With the native
   * kernels (native/) they go to OpenBLAS and medtl's OpenMP loops, and wasm stays on its
   * single-threaded build. Without them, above 1 loads wasm's threaded SIMD build with
   * min(threads, MAX_WASM_THREADS) threads. Measured speeds per thread count are in
   * docs/compute.md and docs/benchmarks.md.
   */
  threads?: number;
  /** Where the one-line backend report goes (default: stderr). */
  log?: (msg: string) => void;
}

/** What `initCompute` set up. */
export interface ComputeInfo {
  backend: BackendName;
  /** Threads the heavy kernels run on (native kernels where built, else the wasm pool). */
  threads: number;
  /** Ids of the kernel fixes in force for this backend. */
  patches: readonly string[];
  /** Whether medtl's native kernels (native/, OpenBLAS and oneDNN) run the heavy ops. */
  native: boolean;
  /** Where the native kernels run, which engine does the convolutions (oneDNN where it was built in, else im2col + OpenBLAS). */
  convolutions?: 'onednn' | 'im2col';
}

/** Environment variable that forces a backend (`tensorflow`, `wasm` or `cpu`). */
export const BACKEND_ENV = 'MEDTL_BACKEND';

/** Environment variable giving the wasm thread count (a positive integer or `auto` = one per core) when `threads` is not passed. */
export const THREADS_ENV = 'MEDTL_WASM_THREADS';

const ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

interface State {
  /** The preference (or forced choice) this state was built for. */
  requested: BackendName | undefined;
  info: ComputeInfo;
}

let state: State | undefined;
let inFlight: Promise<ComputeInfo> | undefined;

class Unavailable extends Error {}

function isBackendName(x: string): x is BackendName {
  return (ORDER as readonly string[]).includes(x);
}

function forcedBackend(): BackendName | undefined {
  const raw = process.env[BACKEND_ENV]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (!isBackendName(raw)) {
    throw new Error(`${BACKEND_ENV}=${raw} is not a backend; use one of ${ORDER.join(', ')}`);
  }
  return raw;
}

function envThreads(): number | undefined {
  const raw = process.env[THREADS_ENV]?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'auto') return cores();
  const n = Number(raw);
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`${THREADS_ENV}=${raw} must be a positive integer or 'auto'`);
  return n;
}

function cores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

async function useTensorflow(): Promise<number> {
  if (tf.findBackendFactory('tensorflow') == null) {
    // A variable specifier keeps TypeScript from needing the optional package's types.
    const spec = '@tensorflow/tfjs-node';
    try {
      await import(spec);
    } catch (e) {
      throw new Unavailable(`@tensorflow/tfjs-node cannot be loaded (${(e as Error).message.split('\n')[0]})`);
    }
    if (tf.findBackendFactory('tensorflow') == null) {
      throw new Unavailable(
        '@tensorflow/tfjs-node loaded but registered into another copy of @tensorflow/tfjs-core; align their versions',
      );
    }
  }
  if (!(await tf.setBackend('tensorflow'))) throw new Unavailable('the tensorflow backend failed to initialise');
  // libtensorflow sizes its own intra-op pool from the machine; there is no API to read it back.
  return cores();
}

async function useWasm(threads: number | undefined, notes: string[]): Promise<{ threads: number; patches: string[]; native: boolean; convolutions?: 'onednn' | 'im2col' }> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const { registerWasmPatches } = await import('./kernels/index.js');
  const want = threads ?? envThreads() ?? cores();
  const native = loadNative();
  // With the native kernels the heavy work runs in OpenBLAS and OpenMP, which get the threads;
  // wasm keeps its single-threaded build for the small ops, where a pool only adds hand-offs.
  const wasmWant = native.ok ? 1 : want;
  if (tf.engine().registry.wasm === undefined && wasmWant > 1) {
    const threaded = await import('./wasm-threads.js');
    if (await threaded.threadedWasmSupported()) {
      try {
        threaded.installWasmBackend(await threaded.createThreadedWasmBackend(wasmWant));
      } catch (e) {
        notes.push(`threaded wasm unavailable (${(e as Error).message}), using 1 thread`);
      }
    } else {
      notes.push('this Node has no shared wasm memory, using 1 thread');
    }
  } else if (tf.engine().registry.wasm !== undefined && threads !== undefined && !native.ok) {
    notes.push('wasm was already running; its thread count is kept');
  }
  const patches = registerWasmPatches();
  if (!(await tf.setBackend('wasm'))) throw new Unavailable('the wasm backend failed to initialise');
  if (!native.ok) {
    notes.push(`wasm kernels only: ${native.reason}`);
    return { threads: wasm.getThreadsCount(), patches, native: false };
  }
  const { registerNativeKernels } = await import('./kernels/native.js');
  const { installFusedTraining } = await import('./kernels/fused-train.js');
  const { MAX_WASM_THREADS } = await import('./wasm-threads.js');
  patches.push(...registerNativeKernels(native.kernels));
  installFusedTraining();
  // The same cap as the wasm pool, so a thread count means the same with and without the addon.
  const count = Math.min(want, MAX_WASM_THREADS);
  native.kernels.setThreads(count);
  const convolutions = native.kernels.convEngine();
  notes.push(`native OpenBLAS kernels${convolutions === 'onednn' ? ' with oneDNN convolutions' : ''}${wasm.getThreadsCount() > 1 ? `, wasm on ${wasm.getThreadsCount()} threads` : ''}`);
  return { threads: count, patches, native: true, convolutions };
}

async function useCpu(): Promise<number> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Unavailable('the cpu backend failed to initialise');
  // The cpu backend prints a "use tfjs-node" banner on first write; our own log line replaces it.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  return 1;
}

async function activate(name: BackendName, threads: number | undefined, notes: string[]): Promise<ComputeInfo> {
  switch (name) {
    case 'tensorflow':
      return { backend: name, threads: await useTensorflow(), patches: [], native: false };
    case 'wasm':
      return { backend: name, ...(await useWasm(threads, notes)) };
    case 'cpu':
      return { backend: name, threads: await useCpu(), patches: [], native: false };
  }
}

async function init(requested: BackendName | undefined, forced: boolean, opts: ComputeOptions): Promise<ComputeInfo> {
  const log = opts.log ?? ((msg: string) => process.stderr.write(`${msg}\n`));
  const candidates =
    requested === undefined ? ORDER : forced ? [requested] : [requested, ...ORDER.filter((b) => b !== requested)];
  const notes: string[] = [];
  for (const name of candidates) {
    try {
      const raw = await activate(name, opts.threads, notes);
      const info: ComputeInfo = Object.freeze({ ...raw, patches: Object.freeze([...raw.patches]) });
      const extra = notes.length > 0 ? `; ${notes.join('; ')}` : '';
      log(`medtl compute: backend ${info.backend}, ${info.threads} thread${info.threads === 1 ? '' : 's'}, ` +
        `${info.patches.length} kernel patch${info.patches.length === 1 ? '' : 'es'}${extra}`);
      state = { requested, info };
      return info;
    } catch (e) {
      if (!(e instanceof Unavailable)) throw e;
      if (forced) throw new Error(`${BACKEND_ENV}=${name} was requested but ${e.message}`, { cause: e });
      // Only worth a note when the caller asked for it; tensorflow is routinely absent.
      if (name === requested || name !== 'tensorflow') notes.push(`${name} unavailable: ${e.message}`);
    }
  }
  throw new Error(`medtl compute: no TF.js backend could be started (${notes.join('; ')})`);
}

/** Chooses and starts the TF.js backend, applies the wasm kernel fixes and logs one line; idempotent unless `prefer` changes. */
export async function initCompute(opts: ComputeOptions = {}): Promise<ComputeInfo> {
  // Order: MEDTL_BACKEND (forced), then `prefer`, then tensorflow > wasm > cpu.
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) {
    throw new RangeError(`threads must be a positive integer, got ${opts.threads}`);
  }
  if (opts.prefer !== undefined && !isBackendName(opts.prefer)) {
    throw new RangeError(`prefer must be one of ${ORDER.join(', ')}, got ${String(opts.prefer)}`);
  }
  const forced = forcedBackend();
  const requested = forced ?? opts.prefer;
  // Concurrent callers wait for the initialisation in flight instead of racing tf.setBackend.
  while (inFlight !== undefined) await inFlight.catch(() => undefined);
  if (state !== undefined && (requested === undefined || requested === state.requested)) {
    if (tf.getBackend() !== state.info.backend) await tf.setBackend(state.info.backend);
    return state.info;
  }
  inFlight = init(requested, forced !== undefined, opts);
  try {
    return await inFlight;
  } finally {
    inFlight = undefined;
  }
}

/** The info of the last successful `initCompute`, or undefined before one. */
export function computeInfo(): ComputeInfo | undefined {
  return state?.info;
}
