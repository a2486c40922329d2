#!/usr/bin/env -S node --max-semi-space-size=4
// Entry point for the `medtl` command: runs the compiled CLI, building it first when missing.
// The shebang caps V8's young generation (semi-spaces of 4 MB, not 16 MB): TF.js allocates many
// short-lived tensors, and a smaller nursery is meant to lower peak RSS. Measured so far, the effect
// is within the run-to-run spread of peak RSS (docs/benchmarks.md, "Memory"). V8 reads the size only
// when the heap is created, so it cannot be set from inside this file.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  // A git checkout without `npm ci` has no dist/: build once rather than fail with a bare stack trace.
  process.stderr.write('medtl: dist/ missing, building with tsc...\n');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}
await import(entry);
