// Where medtl's training time goes, for docs/benchmarks.md: (1) single-core GEMM throughput of the
// wasm backend against PyTorch's BLAS on the same machine, (2) time per TF.js kernel in one step of
// fusion_train (the demo's fusion model through trainPhase, as bench/speed-worker.ts runs it).
//
//   npx tsx bench/speed-profile.ts [--threads 1]
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initCompute } from '../src/compute/backend.js';
import { buildFusionModel } from '../src/models/fusion.js';
import { DEFAULT_MODEL_SPEC } from '../src/models/spec.js';
import type { FeatureSet } from '../src/preprocess/features.js';
import { trainPhase, type TrainPhase } from '../src/train/loop.js';
import { Rng } from '../src/util/random.js';
import { runChild, stderrTail } from './lib/child.js';

const { values: args } = parseArgs({ options: { threads: { type: 'string', default: '1' } } });
const threads = Number(args.threads);
await initCompute({ threads, log: () => undefined });

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
  console.log(`GEMM 1024x1024, tfjs wasm (${threads} thread(s)): ${rates.map((x) => x.toFixed(1)).join(', ')} GFLOP/s`);
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
  const run = await runChild(python, ['-c', code]);
  console.log(run.code === 0 ? `GEMM 1024x1024, torch ${threads} thread(s): ${run.stdout.trim()} GFLOP/s` : `torch GEMM unavailable: ${stderrTail(run.stderr)}`);
}

function fusionKernels(): void {
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
  // Nested kernels (the gradient fixes call the matmul kernel) are counted in both, so the column sums to more than the step.
  const prof = new Map<string, { ms: number; calls: number }>();
  const be = tf.getBackend();
  for (const k of tf.getKernelsForBackend(be)) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, be);
    tf.registerKernel({
      ...k,
      kernelFunc: (a) => {
        const t = performance.now();
        const o = inner(a);
        const p = prof.get(k.kernelName) ?? { ms: 0, calls: 0 };
        p.ms += performance.now() - t;
        p.calls++;
        prof.set(k.kernelName, p);
        return o;
      },
    });
  }
  const t0 = performance.now();
  trainPhase(fm, train, null, phase, { seed: 1, balanceClasses: true });
  const steps = phase.epochs * Math.ceil(n / phase.batchSize);
  const ms = (performance.now() - t0) / steps;
  console.log(`fusion_train step (batch 32, 32x32 image + ${dim} tabular): ${ms.toFixed(1)} ms/step, ${((32 * 1000) / ms).toFixed(0)} samples/s`);
  for (const [k, v] of [...prof].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
    console.log(`  ${k.padEnd(22)} ${(v.ms / steps).toFixed(2).padStart(7)} ms/step  ${String(v.calls / steps).padStart(4)} calls/step`);
  }
}

await gemm();
fusionKernels();
