// Install step: builds the optional native kernels (native/) with node-gyp against OpenBLAS.
// It never fails the install: without a compiler or OpenBLAS, medtl runs on wasm alone and says so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const say = (msg) => process.stderr.write(`medtl native: ${msg}\n`);

function skip(why) {
  say(`not built: ${why}; medtl will use the wasm kernels`);
  process.exit(strict ? 1 : 0);
}

if (process.env.MEDTL_SKIP_NATIVE === '1') skip('MEDTL_SKIP_NATIVE=1');
const pc = spawnSync('pkg-config', ['--exists', 'openblas']);
if (pc.error || pc.status !== 0) skip('OpenBLAS not found by pkg-config (Debian/Ubuntu: apt-get install libopenblas-dev pkg-config)');

// npm exports its bundled node-gyp to scripts; outside npm, look next to the running node.
const candidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => p && existsSync(p));
if (candidates.length === 0) skip('node-gyp not found (it ships with npm)');
// Build against the running node's own headers (Debian and the official tarballs ship them), so
// node-gyp never tries to download them.
const prefix = join(dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
const gypArgs = [candidates[0], 'rebuild', '--silent', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const r = spawnSync(process.execPath, gypArgs, { cwd: join(root, 'native'), encoding: 'utf8' });
if (r.status !== 0) {
  process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').slice(-15).join('\n'));
  skip(`node-gyp exited with ${r.status ?? r.signal}`);
}
say(`built ${join('native', 'build', 'Release', 'medtl_native.node')}`);
