// bench/speed.ts refuses bad options before any workload runs, naming the option and the value.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../bench/speed.ts', import.meta.url));

for (const [args, message] of [
  [['--warmup-seconds', 'x'], /--warmup-seconds must be a non-negative number, got 'x'/],
  [['--warmup=-1'], /--warmup must be a non-negative number, got '-1'/],
  [['--e2e-threads', '0'], /--e2e-threads must be a positive integer, got '0'/],
  [['--only', 'gpu_train'], /--only: unknown workload 'gpu_train'/],
] as const) {
  test(`bench:speed ${args.join(' ')} is refused`, () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, message);
  });
}
