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
  [['--background-load=-1'], /--background-load must be a non-negative integer, got '-1'/],
  [['--background-load', 'two'], /--background-load must be a non-negative integer, got 'two'/],
] as const) {
  test(`bench:speed ${args.join(' ')} is refused`, () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, message);
  });
}

// The reference scripts install nothing: without torch they exit with status 3 and name the
// Debian package. torch (and in the second case numpy) is hidden from the interpreter, so this runs
// the same whether python3-numpy and python3-torch are installed or not.
const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'pass']).status === 0);
for (const script of ['workloads.py', 'demo_pipeline.py']) {
  for (const [hidden, message] of [
    [['torch'], /missing Python modules: (numpy \(Debian: python3-numpy\), )?torch \(Debian: python3-torch\)/],
    [['numpy', 'torch'], /missing Python modules: numpy \(Debian: python3-numpy\), torch \(Debian: python3-torch\)/],
  ] as const) {
    test(`bench/reference/${script} without ${hidden.join(' and ')} exits 3 and says what is missing`, { skip: python ? false : 'no python3 on this machine (Debian: python3)' }, () => {
      const path = fileURLToPath(new URL(`../../bench/reference/${script}`, import.meta.url));
      const hide = hidden.map((m) => `sys.modules['${m}'] = None`).join('; ');
      const code = `import sys, runpy; ${hide}; sys.argv = [${JSON.stringify(path)}, 'mlp_train']; runpy.run_path(${JSON.stringify(path)}, run_name='__main__')`;
      const run = spawnSync(python!, ['-c', code], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 3, run.stderr);
      assert.match(run.stderr, message);
    });
  }
}
