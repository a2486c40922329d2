// Tensor disposal across training and prediction: a leak of even one tensor per step or per epoch
// grows memory without bound over a long run, so the counts must be exactly flat (no tolerance).
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';
import { layersExtractor, streamFeatures } from '../../src/models/feature-stream.js';
import { buildFusionModel, predictProba } from '../../src/models/fusion.js';
import { DEFAULT_MODEL_SPEC } from '../../src/models/spec.js';
import type { FeatureSet } from '../../src/preprocess/features.js';
import { trainPhase, type TrainPhase } from '../../src/train/loop.js';
import type { ProgressReporter } from '../../src/util/progress.js';
import { Rng } from '../../src/util/random.js';
import { useWasm } from './helpers.js';

const SIZE = 16;
const DIM = 5;

function features(seed: string, n: number): FeatureSet {
  const rng = new Rng(seed);
  const normal = (k: number) => Float32Array.from({ length: k }, () => rng.normal());
  return {
    n,
    labels: Float32Array.from({ length: n }, (_, i) => i % 2),
    keys: Array.from({ length: n }, (_, i) => `s/${i}`),
    sites: Array.from({ length: n }, () => 's'),
    image: { shape: [SIZE, SIZE, 1], data: normal(n * SIZE * SIZE) },
    tabular: { dim: DIM, data: normal(n * DIM) },
  };
}

function model() {
  return buildFusionModel({ ...DEFAULT_MODEL_SPEC, imageFilters: [4, 8], modalities: ['image', 'tabular'], imageShape: [SIZE, SIZE, 1], tabularDim: DIM }, 5);
}

/** A progress reporter that samples the live tensor count and the wasm heap's array count after every step. */
function counting(): { reporter: ProgressReporter; byEpoch: Map<string, { tensors: number; dataIds: number }[]> } {
  const byEpoch = new Map<string, { tensors: number; dataIds: number }[]>();
  const reporter: ProgressReporter = {
    start: () => undefined,
    stop: () => undefined,
    log: () => undefined,
    update: (_done, info) => {
      const key = info ?? '';
      if (!byEpoch.has(key)) byEpoch.set(key, []);
      byEpoch.get(key)!.push({ tensors: tf.memory().numTensors, dataIds: tf.engine().backend.numDataIds() });
    },
  };
  return { reporter, byEpoch };
}

// Patience above the epoch count: every epoch runs, so each one is sampled.
const phase: TrainPhase = { name: 'mem', trainable: ['image', 'tabular', 'head'], epochs: 4, batchSize: 8, learningRate: 1e-3, patience: 10, weightDecay: 1e-4, augment: true };

describe('tensor disposal (wasm backend)', () => {
  before(useWasm);

  it('trainPhase keeps numTensors and the wasm heap flat across every step of every epoch, and frees all it made', () => {
    const fm = model();
    const train = features('train', 24);
    const val = features('val', 8);
    const before = tf.memory().numTensors;
    const { reporter, byEpoch } = counting();
    const h = trainPhase(fm, train, val, phase, { seed: 1, balanceClasses: true, progress: reporter });
    assert.equal(h.epochs.length, 4, 'every epoch ran');
    assert.equal(byEpoch.size, 4, 'one sample series per epoch');
    const samples = [...byEpoch.values()].flat();
    assert.equal(samples.length, 4 * 3, '3 steps per epoch (24 samples, batch 8)');
    // The first step creates Adam's slot variables; from then on nothing may accumulate.
    for (const s of samples) assert.deepEqual(s, samples[0], `counts per step ${JSON.stringify([...byEpoch])}`);
    assert.equal(tf.memory().numTensors, before, 'optimizer slots and best-weight copies are disposed when the phase ends');
    fm.net.dispose();
  });

  it('repeated trainPhase calls on one model end at the same tensor count', () => {
    const fm = model();
    const train = features('train2', 16);
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      trainPhase(fm, train, null, { ...phase, epochs: 2 }, { seed: i, balanceClasses: false });
      counts.push(tf.memory().numTensors);
    }
    assert.deepEqual(counts, [counts[0], counts[0], counts[0]]);
    fm.net.dispose();
  });

  it('predictProba leaves no tensor behind, over several calls and a partial last batch', () => {
    const fm = model();
    const fs = features('pred', 21);
    const before = { tensors: tf.memory().numTensors, dataIds: tf.engine().backend.numDataIds() };
    const first = predictProba(fm, fs, 8);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(predictProba(fm, fs, 8), first, 'prediction is deterministic');
      assert.deepEqual({ tensors: tf.memory().numTensors, dataIds: tf.engine().backend.numDataIds() }, before);
    }
    fm.net.dispose();
  });

  it('streamFeatures through a TF.js encoder frees every batch and gives the same features as one predict call', async () => {
    const fm = buildFusionModel({ ...DEFAULT_MODEL_SPEC, imageFilters: [4], modalities: ['image'], imageShape: [SIZE, SIZE, 1] }, 6);
    const encoder = tfl.model({ inputs: fm.net.inputs, outputs: fm.net.getLayer('img_embed').output as tfl.SymbolicTensor });
    const fs = features('stream', 10);
    const per = SIZE * SIZE;
    const before = { tensors: tf.memory().numTensors, dataIds: tf.engine().backend.numDataIds() };
    const streamed = await streamFeatures(
      Array.from({ length: fs.n }, (_, i) => i),
      fs.n,
      (i, out, off) => out.set(fs.image!.data.subarray(i * per, (i + 1) * per), off),
      layersExtractor(encoder, [SIZE, SIZE, 1]),
      { batchSize: 4 },
    );
    assert.deepEqual({ tensors: tf.memory().numTensors, dataIds: tf.engine().backend.numDataIds() }, before);
    const whole = tf.tidy(() => encoder.predict(tf.tensor4d(fs.image!.data, [fs.n, SIZE, SIZE, 1])) as tf.Tensor);
    const expected = whole.dataSync() as Float32Array;
    whole.dispose();
    // Same weights and inputs; only the batch grouping differs, which XNNPACK's per-row products do not depend on,
    // but allow float32 rounding (1e-5 absolute on O(1) activations) in case a kernel blocks rows differently.
    assert.equal(streamed.length, expected.length);
    streamed.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-5, `feature ${i}: ${v} vs ${expected[i]}`));
    fm.net.dispose();
  });
});
