// Where medtl's training time goes, for docs/benchmarks.md: (1) GEMM throughput of medtl's matmul
// kernel against PyTorch's on the same machine and thread count, (2) time per TF.js kernel (by
// kernel and input shapes) in steps of the three training workloads of bench/speed-worker.ts.
//
//   npx tsx bench/speed-profile.ts [--threads 1] [--only mlp,cnn,fusion,gemm]
//   PROFILE_TOP=60 npx tsx bench/speed-profile.ts --only fusion     # list 60 kernels per workload (default 10)
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initCompute } from '../src/compute/index.js';
import { buildFusionModel } from '../src/models/fusion.js';
import { DEFAULT_MODEL_SPEC } from '../src/models/spec.js';
import type { FeatureSet } from '../src/preprocess/features.js';
import { adam } from '../src/train/adam.js';
import { trainPhase, type TrainPhase } from '../src/train/loop.js';
import { Rng } from '../src/util/random.js';
import { benchCnn, benchMlp } from './lib/models.js';
import { runChild, stderrTail } from './lib/child.js';

const { values: args } = parseArgs({ options: { threads: { type: 'string', default: '1' }, only: { type: 'string', default: 'gemm,mlp,cnn,fusion' } } });
const threads = Number(args.threads);
const only = new Set(args.only.split(','));
const info = await initCompute({ threads, log: () => undefined });
console.log(`backend ${info.backend}, ${info.threads} thread(s), native kernels: ${info.native}`);

async function gemm(): Promise<void> {
  const a = tf.randomNormal([1024, 1024], 0, 1, 'float32', 1);
  const b = tf.randomNormal([1024, 1024], 0, 1, 'float32', 2);
  const rates: number[] = [];
  for (let r = 0; r < 4; r++) {
    const t = performance.now();
    for (let i = 0; i < 10; i++) {
      const c = tf.matMul(a, b);
      c.dataSync();
      c.dispose();
    }
    if (r > 0) rates.push((10 * 2 * 1024 ** 3) / ((performance.now() - t) / 1000) / 1e9);
  }
  tf.dispose([a, b]);
  console.log(`GEMM 1024x1024, medtl (${threads} thread(s)): ${rates.map((x) => x.toFixed(1)).join(', ')} GFLOP/s`);
  const python = process.env.MEDTL_BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  const code = `import torch,time
torch.set_num_threads(${threads})
a=torch.randn(1024,1024)
b=torch.randn(1024,1024)
r=[]
for k in range(4):
    t=time.perf_counter()
    for i in range(10): a@b
    r.append(10*2*1024**3/(time.perf_counter()-t)/1e9)
print(', '.join('%.1f' % x for x in r[1:]))`;
  // As in bench/speed.ts: torch.set_num_threads does not reach OpenBLAS, the environment does.
  const n = String(threads);
  const run = await runChild(python, ['-c', code], { ...process.env, OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n });
  console.log(run.code === 0 ? `GEMM 1024x1024, torch ${threads} thread(s): ${run.stdout.trim()} GFLOP/s` : `torch GEMM unavailable: ${stderrTail(run.stderr)}`);
}

/** Times every kernel call (by kernel and input shapes) over `calls` runs of `run`, each `stepsPerRun` training steps; prints the biggest. */
function profile(label: string, unitsPerStep: number, calls: number, stepsPerRun: number, run: () => void): void {
  const steps = calls * stepsPerRun;
  const prof = new Map<string, { ms: number; calls: number }>();
  const be = tf.getBackend();
  const saved = tf.getKernelsForBackend(be);
  for (const k of saved) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, be);
    tf.registerKernel({
      ...k,
      kernelFunc: (a) => {
        const t = performance.now();
        const o = inner(a);
        const shapes = Object.values(a.inputs).map((x) => JSON.stringify((x as tf.TensorInfo | undefined)?.shape ?? null)).join(',');
        const key = `${k.kernelName} ${shapes}`;
        const p = prof.get(key) ?? { ms: 0, calls: 0 };
        p.ms += performance.now() - t;
        p.calls++;
        prof.set(key, p);
        return o;
      },
    });
  }
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) run();
  const ms = (performance.now() - t0) / steps;
  for (const k of saved) {
    tf.unregisterKernel(k.kernelName, be);
    tf.registerKernel(k);
  }
  let kernelMs = 0;
  let kernelCalls = 0;
  for (const v of prof.values()) {
    kernelMs += v.ms;
    kernelCalls += v.calls;
  }
  console.log(`\n${label}: ${ms.toFixed(1)} ms/step (${((unitsPerStep * 1000) / ms).toFixed(0)}/s while profiled); ` +
    `kernels ${(kernelMs / steps).toFixed(1)} ms in ${(kernelCalls / steps).toFixed(0)} calls, the rest is TF.js/JS overhead`);
  for (const [k, v] of [...prof].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.env.PROFILE_TOP ?? 10))) {
    console.log(`  ${k.padEnd(64)} ${(v.ms / steps).toFixed(2).padStart(6)} ms/step  ${String(v.calls / steps).padStart(3)} calls`);
  }
}

const vars = (m: tfl.LayersModel): tf.Variable[] => m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);

function layersStep(m: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor, loss: (y: tf.Tensor, o: tf.Tensor) => tf.Scalar): () => void {
  const opt = adam(1e-3);
  const v = vars(m);
  return () => {
    const c = opt.minimize(() => loss(y, m.apply(x, { training: true }) as tf.Tensor), true, v)!;
    c.dataSync();
    c.dispose();
  };
}

function mlp(): void {
  const m = benchMlp();
  const x = tf.randomNormal([128, 1024], 0, 1, 'float32', 3);
  const y = tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: 128 }, (_, i) => i % 2), 'int32'), 2), 'float32');
  const step = layersStep(m, x, y, (t, o) => tf.losses.softmaxCrossEntropy(t, o));
  for (let i = 0; i < 5; i++) step();
  profile('mlp_train step (batch 128, 1024-512-256-2)', 128, 20, 1, step);
}

function cnn(): void {
  const m = benchCnn();
  const x = tf.randomNormal([32, 64, 64, 1], 0, 1, 'float32', 4);
  const y = tf.tensor2d(Array.from({ length: 32 }, (_, i) => i % 2), [32, 1]);
  const step = layersStep(m, x, y, (t, o) => tf.losses.sigmoidCrossEntropy(t, o));
  for (let i = 0; i < 3; i++) step();
  profile('cnn_train step (batch 32, 64x64x1)', 32, 10, 1, step);
}

function fusion(): void {
  const n = 256;
  const size = 32;
  const dim = 17;
  const rng = new Rng('speed-profile');
  const rnd = (k: number) => Float32Array.from({ length: k }, () => rng.normal());
  const train: FeatureSet = {
    n,
    labels: Float32Array.from({ length: n }, () => (rng.bernoulli(0.4) ? 1 : 0)),
    keys: Array.from({ length: n }, (_, i) => `s/${i}`),
    sites: Array.from({ length: n }, () => 's'),
    image: { shape: [size, size, 1], data: rnd(n * size * size) },
    tabular: { dim, data: rnd(n * dim) },
  };
  const fm = buildFusionModel({ ...DEFAULT_MODEL_SPEC, modalities: ['image', 'tabular'], imageShape: [size, size, 1], tabularDim: dim }, 3);
  const phase: TrainPhase = { name: 'profile', trainable: ['image', 'tabular', 'head'], epochs: 2, batchSize: 32, learningRate: 2e-3, patience: 1000, weightDecay: 1e-4, augment: true };
  trainPhase(fm, train, null, phase, { seed: 0, balanceClasses: true });
  const steps = phase.epochs * Math.ceil(n / phase.batchSize);
  let seed = 1;
  profile(`fusion_train step (batch 32, ${size}x${size} image + ${dim} tabular, trainPhase)`, 32, 2, steps, () => void trainPhase(fm, train, null, phase, { seed: seed++, balanceClasses: true }));
}

if (only.has('gemm')) await gemm();
if (only.has('mlp')) mlp();
if (only.has('cnn')) cnn();
if (only.has('fusion')) fusion();
