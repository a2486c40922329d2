import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as wasmPkg from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
const req = createRequire(import.meta.url);
const pkgDir = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const factory = req(path.join(pkgDir, 'wasm-out/tfjs-backend-wasm-threaded-simd.js'));
const { wasmWorkerContents } = req(path.join(pkgDir, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'));
const workerFile = path.join(os.tmpdir(), 'medtl-wasm-worker.cjs');
fs.writeFileSync(workerFile, wasmWorkerContents.replace(/\n/g, '\\n'));
const wasmFile = path.join(pkgDir, 'wasm-out/tfjs-backend-wasm-threaded-simd.wasm');
const nThreads = Number(process.argv[2] ?? 2);
tf.removeBackend('wasm');
tf.registerBackend('wasm', async () => {
  const bytes = fs.readFileSync(wasmFile);
  console.log('factory start');
  const mod = await factory({
    mainScriptUrlOrBlob: path.join(pkgDir, 'wasm-out/tfjs-backend-wasm-threaded-simd.js'),
    printErr: (s: string) => console.log('ERR', s),
    locateFile: (p: string, prefix: string) => p.endsWith('.worker.js') ? workerFile : p.endsWith('.wasm') ? wasmFile : prefix + p,
    instantiateWasm: (info: any, receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) => {
      info.env.emscripten_num_logical_cores = () => 2 * nThreads;
      WebAssembly.instantiate(bytes, info).then(r => receive(r.instance, r.module));
      return {};
    },
  });
  console.log('factory done');
  mod.tfjs = {
    init: mod.cwrap('init', null, []),
    initWithThreadsCount: mod.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: mod.cwrap('get_threads_count', 'number', []),
    registerTensor: mod.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: mod.cwrap('dispose_data', null, ['number']),
    dispose: mod.cwrap('dispose', null, []),
  };
  wasmPkg.setThreadsCount(nThreads);
  return new wasmPkg.BackendWasm(mod);
}, 2);
const t0 = performance.now();
await tf.setBackend('wasm');
console.log('init', performance.now() - t0, 'threads', wasmPkg.getThreadsCount());
const a = tf.randomNormal([512, 1024]); const b = tf.randomNormal([1024, 512]);
const ref = tf.tidy(() => tf.matMul(a, b));
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now();
  for (let i = 0; i < 20; i++) tf.tidy(() => tf.matMul(a, b)).dataSync();
  console.log('matmul 512x1024x512 ms', (performance.now() - t) / 20);
}
const x = tf.randomNormal([32, 64, 64, 8]); const f = tf.randomNormal([3, 3, 8, 16]);
for (let rep = 0; rep < 3; rep++) {
  const t = performance.now();
  for (let i = 0; i < 10; i++) tf.tidy(() => tf.conv2d(x, f, 1, 'same')).dataSync();
  console.log('conv ms', (performance.now() - t) / 10);
}
console.log(ref.shape);
