// A user's commands print only medtl's own lines: no npm config warning, no TF.js deprecation
// notice on model load, no "use tfjs-node" banner.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NOISE = [/Unknown (project|user|global) config/, /tf\.io\.fromMemory\(\)/, /looks like you are running TensorFlow\.js in Node\.js/, /deprecated/i];

function assertQuiet(stderr: string, what: string): void {
  for (const n of NOISE) assert.doesNotMatch(stderr, n, `${what} printed:\n${stderr}`);
}

test('npm reads the project config without warnings', () => {
  const r = spawnSync('npm', ['pkg', 'get', 'name'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assertQuiet(r.stderr, 'npm pkg get name');
});

test('medtl inspect prints its result and nothing else on stderr', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'inspect', 'test/fixtures/images/breast_gray8.png'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});

for (const backend of ['', 'cpu']) {
  test(`saving and loading a model bundle is quiet${backend ? ` on the ${backend} backend` : ''}`, () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/bundle-roundtrip-child.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, MEDTL_BACKEND: backend },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '10');
    assertQuiet(r.stderr, 'the model bundle round trip');
  });
}
