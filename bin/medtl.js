#!/usr/bin/env node
// Entry point for the `medtl` command: runs the compiled CLI, building it first when missing.
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
