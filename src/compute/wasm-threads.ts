// Loads tfjs-backend-wasm's threaded SIMD binary in Node. The package never does this itself:
//  - its WASM_HAS_MULTITHREAD_SUPPORT flag is hard-wired to false under Node;
//  - its pthread workers and their main script are handed over as blob: URLs, which Node's
//    worker_threads refuse;
//  - the C++ init caps the pool at half of emscripten_num_logical_cores() (and at 8 workers).
// The emscripten factory and worker source ship in the package's wasm-out/ folder, so here we
// call the factory ourselves with file paths instead of blobs, report twice the wanted thread
// count as the core count so the halving cap lets it through, and wrap the module in the
// package's own BackendWasm class. Kernels are unaffected:
// they are registered per backend name, and the threaded build exports the same entry points.
import * as tf from '@tensorflow/tfjs-core';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';

/** Most threads the threaded binary can use: it pre-creates 8 pthread workers and caps its pool there. */
export const MAX_WASM_THREADS = 8;

const WASM_PRIORITY = 2;

interface Worker {
  unref(): void;
  terminate(): void;
}

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread?: { runningWorkers: Worker[]; unusedWorkers: Worker[]; terminateAllThreads(): void };
  tfjs?: Record<string, unknown>;
}

interface FactoryConfig {
  locateFile(file: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  instantiateWasm(
    imports: { env: Record<string, unknown> },
    receive: (instance: WasmInstance, module: WasmCompiled) => void,
  ): object;
  printErr(text: string): void;
  PThread?: EmscriptenModule['PThread'];
}

type Factory = (config: FactoryConfig) => Promise<EmscriptenModule>;

/** The slice of the WebAssembly global used here (the project's lib settings carry no DOM types). */
interface WasmInstance {
  exports: object;
}
interface WasmCompiled {
  readonly brand?: 'WebAssembly.Module';
}
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: WasmInstance; module: WasmCompiled }>;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: ArrayBufferLike };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

function packageDir(): string {
  const req = createRequire(import.meta.url);
  return path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/** Writes the pthread worker script into a private temporary folder and returns its path. */
function workerScript(source: string): string {
  // The package ships the source as a template literal whose "\n" escapes became real newlines
  // inside string literals; the package undoes that the same way before making its blob.
  const text = source.replace(/\n/g, '\\n');
  // A fresh 0700 folder per process: a fixed name in a shared tmpdir could be planted by another
  // user and would then run as our code. Removed at exit, once no worker can still need it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtl-wasm-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'worker.cjs');
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** Whether this Node can run threaded wasm at all (shared memory and wasm threads + SIMD). */
export async function threadedWasmSupported(): Promise<boolean> {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) return false;
  try {
    const mem = new WA.Memory({ initial: 1, maximum: 1, shared: true });
    return mem.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

async function instantiate(threads: number, timeoutMs: number): Promise<EmscriptenModule> {
  const dir = packageDir();
  const req = createRequire(import.meta.url);
  const mainScript = path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const binary = path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.wasm');
  const factory = req(mainScript) as Factory;
  const { wasmWorkerContents } = req(path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  const worker = workerScript(wasmWorkerContents);
  const bytes = fs.readFileSync(binary);
  const errors: string[] = [];
  const config: FactoryConfig = {
    locateFile: (file, prefix) => (file.endsWith('.worker.js') ? worker : file.endsWith('.wasm') ? binary : prefix + file),
    // Workers load the factory source from this path; left to emscripten's default they never
    // finished starting in our runs.
    mainScriptUrlOrBlob: mainScript,
    instantiateWasm: (imports, receive) => {
      // The C++ side sizes its pool as min(requested, logical cores / 2); report 2x so the
      // requested count is what it gets.
      imports.env.emscripten_num_logical_cores = () => 2 * threads;
      WA.instantiate(bytes, imports).then(
        (r) => receive(r.instance, r.module),
        (e: unknown) => errors.push(String(e)),
      );
      return {};
    },
    printErr: (text) => errors.push(text),
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`threaded wasm did not start within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([factory(config), timeout]);
  } catch (e) {
    // The factory adopts `config` as its Module, so the worker pool is reachable from here even
    // when the module never resolved; leaving it would keep the process alive.
    config.PThread?.terminateAllThreads();
    const detail = errors.length > 0 ? ` (${errors.join('; ')})` : '';
    throw new Error(`${(e as Error).message}${detail}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
}

/** Starts the threaded SIMD build with min(threads, MAX_WASM_THREADS) threads as a BackendWasm (not yet registered). */
export async function createThreadedWasmBackend(threads: number, timeoutMs = 20_000): Promise<wasmBackend.BackendWasm> {
  const count = Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(threads)));
  const mod = await instantiate(count, timeoutMs);
  try {
    // What the package's own init() attaches before handing the module to BackendWasm.
    mod.tfjs = {
      init: mod.cwrap('init', null, []),
      initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
      registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: mod.cwrap('dispose_data', null, ['number']),
      dispose: mod.cwrap('dispose', null, []),
    };
    wasmBackend.setThreadsCount(count);
    // The constructor creates the thread pool (pthreadpool_create starts its threads).
    const backend = new wasmBackend.BackendWasm(mod as unknown as ConstructorParameters<typeof wasmBackend.BackendWasm>[0]);
    // Each pool thread is a worker that emscripten ref()s while it runs, and pool threads never
    // finish, so the process could not exit on its own. They only ever wait for work from us.
    const running = mod.PThread?.runningWorkers;
    if (!Array.isArray(running) || running.length !== count - 1) {
      // Another emscripten layout: better one thread than a process that never exits.
      backend.dispose();
      throw new Error(`expected ${count - 1} pool workers, found ${Array.isArray(running) ? running.length : 'none'}`);
    }
    for (const w of running) w.unref();
    return backend;
  } catch (e) {
    mod.PThread?.terminateAllThreads();
    throw e;
  }
}

/** Puts `backend` under the name 'wasm' in place of the package's factory; fails if 'wasm' is already in use. */
export function installWasmBackend(backend: wasmBackend.BackendWasm): void {
  if (tf.engine().registry.wasm !== undefined) {
    throw new Error('the wasm backend is already initialised; its threads can only be chosen before first use');
  }
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', () => backend, WASM_PRIORITY);
}
