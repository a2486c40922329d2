// Scoped thread counts for the native kernels. A scope asks for a count while a function runs;
// scopes may overlap (an experiment's pretraining pool outlives many awaits), so the count in
// force is the smallest any open scope asked for, and the last scope to close restores the count
// that was in force before the first opened. Results depend on the thread count (see
// docs/compute.md), so a caller that needs reproducible numbers must hold its count for the
// whole computation.
import { loadNative } from './native.js';

/** Overlapping thread-count requests applied through a getter and setter (exported for its tests). */
export class ThreadScopes {
  private readonly open = new Map<number, number>();
  private nextId = 0;
  private base = 1;

  /** Scopes over a thread count read by `get` and written by `set`. */
  constructor(
    private readonly get: () => number,
    private readonly set: (threads: number) => void,
  ) {}

  /** Opens a scope asking for `threads`; returns its closer, which is safe to call more than once. */
  enter(threads: number): () => void {
    if (!(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`kernel threads must be a positive integer, got ${threads}`);
    if (this.open.size === 0) this.base = this.get();
    const id = this.nextId++;
    this.open.set(id, threads);
    this.apply();
    return () => {
      if (this.open.delete(id)) this.apply();
    };
  }

  /** How many scopes are open. */
  get depth(): number {
    return this.open.size;
  }

  private apply(): void {
    this.set(this.open.size === 0 ? this.base : Math.min(...this.open.values()));
  }
}

let scopes: ThreadScopes | undefined;

function nativeScopes(): ThreadScopes | undefined {
  if (scopes !== undefined) return scopes;
  const native = loadNative();
  if (!native.ok) return undefined;
  scopes = new ThreadScopes(() => native.kernels.getThreads(), (n) => native.kernels.setThreads(n));
  return scopes;
}

/**
 * Opens a kernel-thread scope of `threads` until the returned closer runs (idempotent). Without
 * the native kernels it changes nothing: the wasm pool's size is fixed once it starts.
 */
export function openKernelThreads(threads: number): () => void {
  if (!(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`kernel threads must be a positive integer, got ${threads}`);
  return nativeScopes()?.enter(threads) ?? (() => undefined);
}

/** Runs `fn` with the native kernels on `threads` threads (fewer if an enclosing scope asked for fewer), restoring the count however `fn` ends. */
export function withKernelThreads<T>(threads: number, fn: () => Promise<T>): Promise<T>;
export function withKernelThreads<T>(threads: number, fn: () => T): T;
export function withKernelThreads<T>(threads: number, fn: () => T | Promise<T>): T | Promise<T> {
  const close = openKernelThreads(threads);
  let result: T | Promise<T>;
  try {
    result = fn();
  } catch (e) {
    close();
    throw e;
  }
  if (result instanceof Promise) return result.finally(close);
  close();
  return result;
}

/** The native kernels' thread count in this thread now, or undefined without the native kernels. */
export function kernelThreads(): number | undefined {
  const native = loadNative();
  return native.ok ? native.kernels.getThreads() : undefined;
}
