// An experiment's source pretrainings on worker threads (2 threads) give the same run as one
// thread without workers: each training runs its kernels on one thread either way.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { nativeSkipReason } from '../helpers/native-skip.js';

// Pretraining workers run only with the native kernels.
const skip = nativeSkipReason();
const script = fileURLToPath(new URL('./tiny-experiment.ts', import.meta.url));

function run(threads: number): { compute: Record<string, unknown>; methods: [string, number, number[]][]; logs: string[] } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, MEDTL_WASM_THREADS: String(threads), MEDTL_BACKEND: 'wasm' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

test('pretraining on two worker threads reproduces the one-thread run exactly', { skip }, () => {
  const one = run(1);
  const two = run(2);
  assert.equal(one.compute.pretraining_workers, undefined);
  assert.equal(two.compute.pretraining_workers, 2);
  assert.deepEqual(two.methods, one.methods);
  assert.deepEqual(one.logs, []);
  // Both pretrainings (fusion and image only) started on workers; target_only needs none.
  assert.deepEqual(two.logs.filter((l) => l.endsWith('on a worker thread')).sort(), ['pretrain [image+tabular]: on a worker thread', 'pretrain [image]: on a worker thread']);
});
