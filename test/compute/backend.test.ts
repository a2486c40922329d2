import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BACKEND_ENV, THREADS_ENV, initCompute, type ComputeInfo } from '../../src/compute/backend.js';
import { ALL_WASM_PATCH_GROUPS, registerWasmPatches } from '../../src/compute/kernels/index.js';
import { NATIVE_PATCHES } from '../../src/compute/kernels/native.js';
import { NATIVE_ENV, loadNative } from '../../src/compute/native.js';

// Where the native addon is built, initCompute adds its kernels after the wasm fixes.
const native = loadNative();
const nativeIds: string[] = native.ok ? Object.values(NATIVE_PATCHES) : [];
const wasmLine = (threads: string, nativeOk: boolean) =>
  new RegExp(`^medtl compute: backend wasm, ${threads} threads?, ${nativeOk ? 6 + nativeIds.length : 6} kernel patches; ${nativeOk ? 'native OpenBLAS kernels( with oneDNN convolutions)?' : 'wasm kernels only: .+'}$`);

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('./fixtures/init-compute.ts', import.meta.url));

interface ChildResult {
  info: ComputeInfo;
  lines: string[];
  sum: number;
  active: string;
}

/** Runs the fixture in a fresh Node; rejects if it fails or does not exit by itself in time. */
async function child(opts: object, env: Record<string, string | undefined> = {}): Promise<ChildResult> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture, JSON.stringify(opts)], {
    env: { ...process.env, [BACKEND_ENV]: undefined, [THREADS_ENV]: undefined, ...env },
    timeout: 40_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
}

async function tfjsNodeInstalled(): Promise<boolean> {
  const spec = '@tensorflow/tfjs-node';
  try {
    await import(spec);
    return true;
  } catch {
    return false;
  }
}

describe('initCompute', () => {
  // One process for the in-process cases: they run in order and share the module state.
  delete process.env[BACKEND_ENV];
  delete process.env[THREADS_ENV];
  const lines: string[] = [];
  const log = (m: string) => lines.push(m);
  let first: ComputeInfo;

  it('starts wasm with its patches when asked, and logs one line', async () => {
    first = await initCompute({ prefer: 'wasm', threads: 1, log });
    assert.equal(first.backend, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(first.threads, 1);
    assert.equal(first.threads, wasm.getThreadsCount());
    assert.deepEqual(first.patches, [...registerWasmPatches(ALL_WASM_PATCH_GROUPS), ...nativeIds]);
    assert.equal(first.native, native.ok);
    assert.equal(lines.length, 1);
    assert.match(lines[0], wasmLine('1', native.ok));
  });

  it('is idempotent', async () => {
    assert.equal(await initCompute({ log }), first);
    assert.equal(await initCompute({ prefer: 'wasm', log }), first);
    const [a, b] = await Promise.all([initCompute({ log }), initCompute({ prefer: 'wasm', log })]);
    assert.equal(a, first);
    assert.equal(b, first);
    assert.equal(lines.length, 1, 'no further log lines');
  });

  it('switches when a different backend is preferred, and back', async () => {
    const cpu = await initCompute({ prefer: 'cpu', log });
    assert.deepEqual({ ...cpu }, { backend: 'cpu', threads: 1, patches: [], native: false });
    assert.equal(tf.getBackend(), 'cpu');
    const again = await initCompute({ prefer: 'wasm', log });
    assert.equal(again.backend, 'wasm');
    // The wasm pool cannot be resized once running; the native kernels' threads can, so they
    // take the default (one per core) again.
    if (native.ok) assert.equal(again.threads, Math.min(os.availableParallelism(), 8));
    else assert.equal(again.threads, 1, 'the running wasm keeps its thread count');
    assert.equal(tf.getBackend(), 'wasm');
  });

  it('rejects bad options', async () => {
    await assert.rejects(initCompute({ threads: 0 }), RangeError);
    await assert.rejects(initCompute({ threads: 1.5 }), RangeError);
    await assert.rejects(initCompute({ prefer: 'gpu' as never }), RangeError);
  });

  it(`obeys ${BACKEND_ENV}, explains a forced backend that is missing, checks ${THREADS_ENV}`, async () => {
    try {
      process.env[BACKEND_ENV] = 'cpu';
      const forced = await initCompute({ prefer: 'wasm', log });
      assert.equal(forced.backend, 'cpu');
      process.env[BACKEND_ENV] = 'bogus';
      await assert.rejects(initCompute({ log }), /MEDTL_BACKEND=bogus is not a backend/);
      process.env[BACKEND_ENV] = 'tensorflow';
      if (!(await tfjsNodeInstalled())) {
        await assert.rejects(initCompute({ log }), /MEDTL_BACKEND=tensorflow was requested but @tensorflow\/tfjs-node/);
      }
      delete process.env[BACKEND_ENV];
      process.env[THREADS_ENV] = 'zero';
      await assert.rejects(initCompute({ prefer: 'wasm', log }), /MEDTL_WASM_THREADS=zero must be a positive integer/);
    } finally {
      delete process.env[BACKEND_ENV];
      delete process.env[THREADS_ENV];
    }
  });

  it('by default falls back past a missing tfjs-node to wasm with one thread per core', async (t) => {
    if (await tfjsNodeInstalled()) return t.skip('tfjs-node is installed here, so it is the default');
    const r = await child({});
    assert.equal(r.info.backend, 'wasm');
    assert.equal(r.active, 'wasm');
    const perCore = Math.min(os.availableParallelism(), 8);
    assert.equal(r.info.threads, perCore);
    assert.ok(r.lines.length >= 1);
    assert.match(r.lines.at(-1)!, wasmLine(String(perCore), native.ok));
    assert.ok(Number.isFinite(r.sum));
  });

  it(`${NATIVE_ENV}=0 keeps the wasm kernels only, and says why`, async () => {
    const r = await child({ prefer: 'wasm', threads: 1 }, { [NATIVE_ENV]: '0' });
    assert.equal(r.info.patches.length, 6);
    assert.ok(r.info.patches.every((p) => p.startsWith('wasm:')));
    assert.match(r.lines.at(-1)!, new RegExp(`wasm kernels only: ${NATIVE_ENV}=0$`));
  });

  it('honours MEDTL_BACKEND=cpu in a fresh process', async () => {
    const r = await child({ prefer: 'wasm' }, { [BACKEND_ENV]: 'cpu' });
    assert.deepEqual(r.info, { backend: 'cpu', threads: 1, patches: [], native: false });
  });

  // The threaded child also proves that its pthread workers let the process exit by itself:
  // execFile only resolves on exit, and the timeout would fail the test otherwise.
  it('gives the same result with 1 and 2 wasm threads (option beats env)', async () => {
    const [one, two] = await Promise.all([
      child({ prefer: 'wasm', threads: 1 }, { [THREADS_ENV]: '2' }),
      child({ prefer: 'wasm' }, { [THREADS_ENV]: '2' }),
    ]);
    assert.equal(one.info.threads, 1);
    assert.equal(two.info.threads, 2);
    assert.ok(Math.abs(one.sum - two.sum) <= 1e-3 * Math.max(1, Math.abs(one.sum)), `${one.sum} vs ${two.sum}`);
  });
});
