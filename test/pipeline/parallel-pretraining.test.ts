// An experiment's source pretrainings on worker threads (2 threads, MEDTL_PRETRAIN_WORKERS=2) give
// the same run as one thread without workers: each training runs its kernels on one thread either
// way. Without the opt-in, two threads pretrain in the main thread.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { nativeSkipReason } from '../helpers/native-skip.js';

// Pretraining workers run only with the native kernels.
const skip = nativeSkipReason();
const script = fileURLToPath(new URL('./tiny-experiment.ts', import.meta.url));

function run(threads: number, workers: string): { compute: Record<string, unknown>; methods: [string, number, number[]][]; logs: string[] } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, MEDTL_WASM_THREADS: String(threads), MEDTL_BACKEND: 'wasm', MEDTL_PRETRAIN_WORKERS: workers },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

test('pretraining on two worker threads reproduces the one-thread run exactly', { skip }, () => {
  const one = run(1, '2');
  const two = run(2, '2');
  assert.equal(one.compute.pretraining_workers, undefined);
  assert.equal(two.compute.pretraining_workers, 2);
  assert.deepEqual(two.methods, one.methods);
  assert.deepEqual(one.logs, []);
  // Both pretrainings (fusion and image only) started on workers; target_only needs none.
  assert.deepEqual(two.logs.filter((l) => l.endsWith('on a worker thread')).sort(), ['pretrain [image+tabular]: on a worker thread', 'pretrain [image]: on a worker thread']);
});

test('without MEDTL_PRETRAIN_WORKERS two threads pretrain in the main thread', { skip }, () => {
  const two = run(2, '');
  assert.equal(two.compute.pretraining_workers, undefined);
  assert.deepEqual(two.logs, []);
});
