// native/cflags.mjs, the target flags of the addon's build: a portable baseline with AVX2 clones on
// x86-64 by default, the old per-machine build on request, and the clones left out when asked.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { arch } from 'node:os';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../native/cflags.mjs', import.meta.url));
const cc = spawnSync(process.env.CC || 'cc', ['--version']).status === 0;

function flags(env: Record<string, string>): string[] {
  const { MEDTL_NATIVE_MARCH: _m, MEDTL_NATIVE_CLONES: _c, ...rest } = process.env;
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...rest, ...env } });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split(' ').filter((f) => f !== '');
}

test('x86-64 builds for x86-64-v2 with the AVX2 clones, never for the build machine', { skip: arch() !== 'x64' ? 'not x86-64' : cc ? false : 'no C compiler' }, () => {
  const f = flags({});
  assert.ok(f.includes('-march=x86-64-v2') || f.includes('-msse4.2'), f.join(' '));
  assert.ok(!f.includes('-march=native'), f.join(' '));
  assert.ok(!f.includes('-DMEDTL_NO_CLONES'), `clones should build with this compiler: ${f.join(' ')}`);
});

test('MEDTL_NATIVE_MARCH and MEDTL_NATIVE_CLONES=0 give the old per-machine build', { skip: cc ? false : 'no C compiler' }, () => {
  assert.deepEqual(flags({ MEDTL_NATIVE_MARCH: 'native', MEDTL_NATIVE_CLONES: '0' }), ['-march=native', '-DMEDTL_NO_CLONES']);
});
