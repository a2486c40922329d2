// The install step must never fail an install, and must say why the native kernels were not built.
// These cases stop before node-gyp, so they never touch an existing build.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/build-native.mjs', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [script, ...args], { env, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('MEDTL_SKIP_NATIVE=1 skips the build, says so, and exits 0 (1 with --strict)', () => {
  const env = { ...process.env, MEDTL_SKIP_NATIVE: '1' };
  const plain = run([], env);
  assert.equal(plain.status, 0);
  assert.match(plain.stderr, /medtl native: not built: MEDTL_SKIP_NATIVE=1; medtl will use the wasm kernels/);
  assert.equal(run(['--strict'], env).status, 1);
});

test('without pkg-config or OpenBLAS the install goes on and names the Debian packages', () => {
  // An empty PATH hides pkg-config; node is started by absolute path.
  const empty = mkdtempSync(join(tmpdir(), 'medtl-nopath-'));
  try {
    const r = run([], { ...process.env, MEDTL_SKIP_NATIVE: undefined, PATH: empty });
    assert.equal(r.status, 0);
    assert.match(r.stderr, /not built: OpenBLAS not found by pkg-config \(Debian\/Ubuntu: apt-get install libopenblas-dev pkg-config\)/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
