// Training-speed benchmark for the TF.js backends and medtl's wasm kernel fixes.
//
//   node --import tsx bench/compute-kernels.ts --model mlp --backend wasm --patches none
//   node --import tsx bench/compute-kernels.ts --model cnn64 --backend wasm --threads 2
//   node --import tsx bench/compute-kernels.ts --model kernels
//
// --model    mlp (1024-512-256-2, batch 64) | cnn64 | cnn32 (small CNN, batch 32) | kernels
// --backend  wasm | cpu
// --patches  all | none | comma list of matmul,conv2dBackpropFilter,conv2dBackpropInput (wasm)
// --threads  wasm threads (1 = the package's single-threaded SIMD binary)
// --reps, --steps, --warmup: timed repetitions, training steps per repetition, untimed steps first
// --profile  print inclusive time per kernel (wasm and cpu)
// Prints one JSON line per run; the figure is the median over repetitions.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { ALL_WASM_PATCH_GROUPS, registerWasmPatches, type WasmPatchGroup } from '../src/compute/index.js';
import { createThreadedWasmBackend, installWasmBackend } from '../src/compute/wasm-threads.js';
import { Rng } from '../src/util/random.js';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'mlp' },
    backend: { type: 'string', default: 'wasm' },
    patches: { type: 'string', default: 'all' },
    threads: { type: 'string', default: '1' },
    reps: { type: 'string', default: '5' },
    steps: { type: 'string', default: '' },
    warmup: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
  },
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function randomTensor(rng: Rng, shape: number[]): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal();
  return tf.tensor(v, shape);
}

async function setUp(): Promise<{ threads: number; patches: string[] }> {
  if (args.backend === 'cpu') {
    await tf.setBackend('cpu');
    // Its "install tfjs-node" banner would land in the middle of the timings.
    (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    return { threads: 1, patches: [] };
  }
  const threads = Number(args.threads);
  if (threads > 1) installWasmBackend(await createThreadedWasmBackend(threads));
  // The kernels mode times stock against patched kernels, so it applies the fixes itself.
  const groups =
    args.model === 'kernels' ? [] : args.patches === 'all' ? ALL_WASM_PATCH_GROUPS : args.patches === 'none' ? [] : (args.patches.split(',') as WasmPatchGroup[]);
  const patches = registerWasmPatches(groups);
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed');
  return { threads: wasm.getThreadsCount(), patches };
}

const profile = new Map<string, number>();
function installProfiler(): void {
  const backend = tf.getBackend();
  for (const k of tf.getKernelsForBackend(backend)) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, backend);
    tf.registerKernel({
      ...k,
      kernelFunc: (a) => {
        const t = performance.now();
        const out = inner(a);
        profile.set(k.kernelName, (profile.get(k.kernelName) ?? 0) + performance.now() - t);
        return out;
      },
    });
  }
}

function mlp(): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ inputShape: [1024], units: 512, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tfl.layers.dense({ units: 256, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }));
  m.add(tfl.layers.dense({ units: 2, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }));
  return m;
}

function cnn(size: number): tfl.Sequential {
  const m = tfl.sequential();
  const init = (seed: number) => tfl.initializers.glorotUniform({ seed });
  m.add(tfl.layers.conv2d({ inputShape: [size, size, 1], filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(3) }));
  m.add(tfl.layers.globalAveragePooling2d({}));
  m.add(tfl.layers.dropout({ rate: 0.25, seed: 4 }));
  m.add(tfl.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(5) }));
  return m;
}

async function train(): Promise<void> {
  const rng = new Rng(42);
  const isMlp = args.model === 'mlp';
  const size = args.model === 'cnn32' ? 32 : 64;
  const batch = isMlp ? 64 : 32;
  const model = isMlp ? mlp() : cnn(size);
  const x = isMlp ? randomTensor(rng, [batch, 1024]) : randomTensor(rng, [batch, size, size, 1]);
  const labels = Array.from({ length: batch }, () => rng.int(2));
  const y = isMlp ? tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), 2), 'float32') : tf.tensor2d(labels, [batch, 1]);
  const opt = tf.train.adam(1e-3);
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const lossFn = (): tf.Scalar => {
    const p = model.apply(x, { training: true }) as tf.Tensor;
    return isMlp ? tf.losses.softmaxCrossEntropy(y, p) : tf.losses.sigmoidCrossEntropy(y, tf.log(tf.div(p, tf.sub(1, p))));
  };
  const step = () => {
    const cost = opt.minimize(lossFn, true, vars)!;
    const v = cost.dataSync()[0];
    cost.dispose();
    return v;
  };
  const steps = args.steps !== '' ? Number(args.steps) : isMlp ? 20 : 3;
  for (let i = 0; i < Number(args.warmup); i++) step();
  if (args.profile) installProfiler();
  const rates: number[] = [];
  for (let r = 0; r < Number(args.reps); r++) {
    const t = performance.now();
    for (let i = 0; i < steps; i++) step();
    rates.push((steps * batch) / ((performance.now() - t) / 1000));
  }
  const round = (r: number) => (r >= 100 ? Math.round(r) : Number(r.toFixed(2)));
  return report({ model: args.model, unit: isMlp ? 'samples/s' : 'images/s', median: round(median(rates)), rates: rates.map(round) });
}

async function kernels(): Promise<void> {
  // Stock kernels, captured before the fixes replace them.
  const stockMatMul = tf.getKernel(tf.BatchMatMul, 'wasm')!;
  const stockBackpropInput = tf.getKernel(tf.Conv2DBackpropInput, 'wasm')!;
  registerWasmPatches();
  await tf.setBackend('wasm');
  const be = tf.backend();
  const rng = new Rng(7);
  const time = (f: () => tf.TensorInfo, reps = 5): number => {
    const ms: number[] = [];
    for (let r = 0; r < reps + 1; r++) {
      const t = performance.now();
      const out = f();
      ms.push(performance.now() - t);
      be.disposeData(out.dataId);
    }
    return Number(median(ms.slice(1)).toFixed(2));
  };
  const run = (k: tf.KernelConfig, inputs: tf.NamedTensorInfoMap, attrs: object) => () =>
    k.kernelFunc({ inputs, backend: be, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  const patched = (name: string) => tf.getKernel(name, 'wasm')!;

  const x = randomTensor(rng, [64, 1024]);
  const dy = randomTensor(rng, [64, 512]);
  const w = randomTensor(rng, [1024, 512]);
  for (const [label, inputs, attrs] of [
    ['dense dW = xT·dy [1024x64]·[64x512]', { a: x, b: dy }, { transposeA: true, transposeB: false }],
    ['dense dX = dy·wT [64x512]·[512x1024]', { a: dy, b: w }, { transposeA: false, transposeB: true }],
  ] as const) {
    report({
      kernel: label,
      stockMs: time(run(stockMatMul, inputs, attrs)),
      patchedMs: time(run(patched(tf.BatchMatMul), inputs, attrs)),
    });
  }
  for (const [n, h, c, oc, s] of [
    [32, 64, 16, 32, 1],
    [32, 32, 32, 64, 1],
    [32, 64, 16, 32, 2],
  ]) {
    const dyT = randomTensor(rng, [n, Math.ceil(h / s), Math.ceil(h / s), oc]);
    const f = randomTensor(rng, [3, 3, c, oc]);
    const attrs = { strides: s, pad: 'same', dataFormat: 'NHWC', inputShape: [n, h, h, c] };
    report({
      kernel: `Conv2DBackpropInput x[${n},${h},${h},${c}] 3x3→${oc} stride ${s}`,
      stockMs: time(run(stockBackpropInput, { dy: dyT, filter: f }, attrs), 3),
      patchedMs: time(run(patched(tf.Conv2DBackpropInput), { dy: dyT, filter: f }, attrs), 3),
    });
    const xT = randomTensor(rng, [n, h, h, c]);
    report({
      kernel: `Conv2DBackpropFilter x[${n},${h},${h},${c}] 3x3→${oc} stride ${s}`,
      patchedMs: time(run(patched(tf.Conv2DBackpropFilter), { x: xT, dy: dyT }, { ...attrs, filterShape: [3, 3, c, oc] }), 3),
    });
  }
}

let meta: object = {};
function report(o: object): void {
  console.log(JSON.stringify({ ...meta, ...o }));
}

const env = await setUp();
meta = { backend: tf.getBackend(), threads: env.threads, patches: args.backend === 'cpu' ? 'n/a' : args.patches, cores: os.availableParallelism(), load1: Number(os.loadavg()[0].toFixed(2)) };
if (args.model === 'kernels') await kernels();
else await train();
if (args.profile) {
  const rows = [...profile.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  for (const [k, ms] of rows) console.log(`${k.padEnd(28)} ${ms.toFixed(1)} ms`);
}
