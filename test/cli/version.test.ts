import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

test('bin/medtl.js runs through its own shebang (env -S with V8 flags) and prints the package version', () => {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  // Executed directly, as npx does, so a shebang that env cannot split would fail here.
  const out = execFileSync(join(root, 'bin', 'medtl.js'), ['--version'], { encoding: 'utf8' });
  assert.equal(out.trim(), version);
});
