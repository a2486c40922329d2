// medtl side of `npm run bench:speed`: runs one workload in this process and prints one JSON line
// {"name", "per_s" (median), "rates", "peak_rss_mb", "config"}. bench/speed.ts starts one process per
// workload and thread count so each figure carries its own peak RSS.
//
//   node --import tsx bench/speed-worker.ts mlp_train --threads 1 --reps 5
//   node --import tsx bench/speed-worker.ts onnx_features --model /tmp/resnet18.onnx --threads 2
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { parseArgs } from 'node:util';
import { initCompute } from '../src/compute/index.js';
import { streamFeatures } from '../src/models/feature-stream.js';
import { buildFusionModel } from '../src/models/fusion.js';
import { OnnxBackbone } from '../src/models/onnx-backbone.js';
import { DEFAULT_MODEL_SPEC } from '../src/models/spec.js';
import type { FeatureSet } from '../src/preprocess/features.js';
import { adam } from '../src/train/adam.js';
import { trainPhase } from '../src/train/loop.js';
import { Rng } from '../src/util/random.js';
import { benchCnn, benchMlp } from './lib/models.js';
import { median, peakRssMb } from './lib/stats.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    threads: { type: 'string', default: '1' },
    reps: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    'warmup-seconds': { type: 'string', default: '0' },
    steps: { type: 'string', default: '0' },
    samples: { type: 'string', default: '256' },
    'image-size': { type: 'string', default: '32' },
    'tab-dim': { type: 'string', default: '24' },
    model: { type: 'string', default: '' },
    'weight-decay': { type: 'string', default: '1e-4' },
  },
});
const workload = positionals[0];
const threads = Number(args.threads);
const reps = Number(args.reps);
const warmup = Number(args.warmup);
const warmupSeconds = Number(args['warmup-seconds']);
const steps = Number(args.steps);

/** Runs `fn` untimed at least `warmup` times and for at least `--warmup-seconds`, then reps timed times; per-rep rates in units/s. */
async function timeReps(fn: () => void | Promise<void>, unitsPerRep: number): Promise<number[]> {
  const t0 = performance.now();
  for (let i = 0; i < warmup || performance.now() - t0 < warmupSeconds * 1000; i++) await fn();
  const rates: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    await fn();
    rates.push(unitsPerRep / ((performance.now() - t) / 1000));
  }
  return rates;
}

function randomData(rng: Rng, n: number): Float32Array {
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal();
  return v;
}

const vars = (m: tfl.LayersModel): tf.Variable[] => m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);

/** Trains `model` on a small pool of fixed random batches with Adam(1e-3), reading the loss back every step as PyTorch's loss.item() does. */
async function trainLoop(model: tfl.LayersModel, inputShape: number[], batch: number, stepsPerRep: number, loss: (y: tf.Tensor, out: tf.Tensor) => tf.Scalar, yFor: (labels: number[]) => tf.Tensor) {
  const rng = new Rng(`speed:${workload}`);
  const per = inputShape.reduce((a, b) => a * b, 1);
  const pool = Array.from({ length: 4 }, () => {
    const labels = Array.from({ length: batch }, () => rng.int(2));
    return { x: tf.tensor(randomData(rng, batch * per), [batch, ...inputShape]), y: yFor(labels) };
  });
  const opt = adam(1e-3);
  const v = vars(model);
  const run = () => {
    for (let s = 0; s < stepsPerRep; s++) {
      const { x, y } = pool[s % pool.length];
      const cost = opt.minimize(() => loss(y, model.apply(x, { training: true }) as tf.Tensor), true, v)!;
      cost.dataSync();
      cost.dispose();
    }
  };
  return timeReps(run, stepsPerRep * batch);
}

async function mlpTrain(): Promise<number[]> {
  const m = benchMlp();
  return trainLoop(m, [1024], 128, steps || 20, (y, out) => tf.losses.softmaxCrossEntropy(y, out), (l) => tf.cast(tf.oneHot(tf.tensor1d(l, 'int32'), 2), 'float32'));
}

async function cnnTrain(): Promise<number[]> {
  const m = benchCnn();
  return trainLoop(m, [64, 64, 1], 32, steps || 6, (y, out) => tf.losses.sigmoidCrossEntropy(y, out), (l) => tf.tensor2d(l, [l.length, 1]));
}

/** The demo's fusion model trained through medtl's own trainPhase (augmentation, class weights, L2, Adam 2e-3, batch 32). */
async function fusionTrain(): Promise<number[]> {
  const n = Number(args.samples);
  const size = Number(args['image-size']);
  const dim = Number(args['tab-dim']);
  const rng = new Rng('speed:fusion');
  const labels = Float32Array.from({ length: n }, () => (rng.bernoulli(0.4) ? 1 : 0));
  const train: FeatureSet = {
    n,
    labels,
    keys: Array.from({ length: n }, (_, i) => `s/${i}`),
    sites: Array.from({ length: n }, () => 's'),
    image: { shape: [size, size, 1], data: randomData(rng, n * size * size) },
    tabular: { dim, data: randomData(rng, n * dim) },
  };
  const fm = buildFusionModel({ ...DEFAULT_MODEL_SPEC, modalities: ['image', 'tabular'], imageShape: [size, size, 1], tabularDim: dim }, 3);
  const epochs = steps || 2;
  const phase = { name: 'bench', trainable: ['image', 'tabular', 'head'] as const, epochs, batchSize: 32, learningRate: 2e-3, patience: 1000, weightDecay: Number(args['weight-decay']), augment: true };
  let seed = 0;
  return timeReps(() => void trainPhase(fm, train, null, phase, { seed: seed++, balanceClasses: true }), epochs * n);
}

/** ResNet-18 features through medtl's frozen-backbone path (OnnxBackbone + streamFeatures), batch 32 at 224x224x3 (HWC in, NCHW to the model). */
async function onnxFeatures(): Promise<{ rates: number[]; extra: object }> {
  if (!args.model) throw new Error('onnx_features needs --model <file.onnx>');
  const backbone = await OnnxBackbone.load(args.model, { inputShape: [224, 224, 3], layout: 'nchw', threads });
  const image = randomData(new Rng('speed:onnx'), 224 * 224 * 3);
  const n = 32 * (steps || 1);
  const extractor = backbone.extractor();
  const rates = await timeReps(async () => {
    await streamFeatures(Array.from({ length: n }, () => image), n, (im, out, off) => out.set(im, off), extractor, { batchSize: 32 });
  }, n);
  await backbone.dispose();
  return { rates, extra: { engine: 'onnxruntime-node', intra_op_threads: threads, graph_optimization: backbone.options.optimization ?? 'all', execution_mode: 'sequential', embedding_dim: backbone.dim } };
}

async function main(): Promise<void> {
  let rates: number[];
  let config: object;
  if (workload === 'onnx_features') {
    const r = await onnxFeatures();
    rates = r.rates;
    config = r.extra;
  } else {
    const info = await initCompute({ threads, log: () => undefined });
    config = { engine: `tfjs ${info.backend}`, wasm_threads: info.threads, native_kernels: info.native };
    if (workload === 'mlp_train') rates = await mlpTrain();
    else if (workload === 'cnn_train') rates = await cnnTrain();
    else if (workload === 'fusion_train') rates = await fusionTrain();
    else throw new Error(`unknown workload '${workload}' (mlp_train, cnn_train, fusion_train, onnx_features)`);
    config = { ...config, num_tensors_after: tf.memory().numTensors };
  }
  console.log(JSON.stringify({ name: workload, per_s: median(rates), rates, peak_rss_mb: peakRssMb(), config }));
}

await main();
