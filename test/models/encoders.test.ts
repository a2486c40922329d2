import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { Sample } from '../../src/data/types.js';
import { loadModelBundle, saveModelBundle } from '../../src/models/artifact.js';
import { buildFusionModel, forwardLogits, groupVariables, inputTensors, predictProba, range, type FusionModel } from '../../src/models/fusion.js';
import { modelSpecFor } from '../../src/models/spec-for.js';
import { ALL_LAYER_GROUPS, DEFAULT_MODEL_SPEC, type ModelSpec } from '../../src/models/spec.js';
import type { FeatureSet } from '../../src/preprocess/features.js';
import { fitPreprocessor } from '../../src/preprocess/preprocessor.js';
import { trainPhase } from '../../src/train/loop.js';
import { Rng } from '../../src/util/random.js';
import { makeSamples, TEST_SCHEMA } from '../helpers/samples.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

/** Every trainable variable of the model gets a non-zero gradient from a loss on `fs`. */
function assertGradientsFlow(fm: FusionModel, fs: FeatureSet): void {
  const inputs = inputTensors(fm, fs, range(0, fs.n));
  const y = tf.tensor1d(fs.labels);
  const vars = groupVariables(fm, ALL_LAYER_GROUPS);
  const { grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(y, forwardLogits(fm, inputs, true)) as tf.Scalar, vars);
  assert.equal(Object.keys(grads).length, vars.length);
  for (const [name, g] of Object.entries(grads)) assert.ok(tf.sum(tf.abs(g)).dataSync()[0] > 0, `no gradient reaches ${name}`);
  tf.dispose([...inputs, y, ...Object.values(grads)]);
}

async function assertRoundTrip(fm: FusionModel, fs: FeatureSet, pre = fitPreprocessor([], { modalities: [], schema: [], image: { window: [0, 1], size: 8 } })): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-enc-'));
  await saveModelBundle(dir, { model: fm, preprocessor: pre });
  const back = await loadModelBundle(dir);
  // Same backend, weights and graph: bit-identical float32 predictions.
  assert.deepEqual(predictProba(back.model, fs), predictProba(fm, fs));
  back.model.net.dispose();
}

/** Volumes [4, 8, 8, 1] whose label brightens the front half. */
function volumes(n: number, seed: number): FeatureSet {
  const rng = new Rng(`vol:${seed}`);
  const size = 4 * 8 * 8;
  const labels = new Float32Array(n);
  const data = new Float32Array(n * size);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    for (let v = 0; v < size; v++) data[i * size + v] = rng.normal(0, 1) + (v < size / 2 ? labels[i] : 0);
  }
  return { n, labels, keys: range(0, n).map(String), sites: new Array<string>(n).fill('s'), volume: { shape: [4, 8, 8, 1], data } };
}

const vol: ModelSpec = { ...DEFAULT_MODEL_SPEC, imageFilters: [2, 4], imageEmbed: 4, headHidden: 4, modalities: ['image'], imageEncoder: 'cnn3d', volumeShape: [4, 8, 8, 1] };

test('3-D CNN: conv3d stages with depth-aware pooling, trainable and serialisable', async () => {
  const fs = volumes(24, 1);
  for (const pooling of ['flatten', 'avg', 'max'] as const) {
    const fm = buildFusionModel({ ...vol, imagePooling: pooling }, 3);
    const kinds = fm.net.layers.map((l) => l.getClassName());
    assert.ok(kinds.includes('Conv3D') && kinds.includes('MaxPooling3D'), pooling);
    // Depth 4 halves twice (4 -> 2 -> 1) while height and width go 8 -> 4 -> 2.
    assert.deepEqual(fm.net.getLayer('img_pool2').outputShape, [null, 1, 2, 2, 4]);
    assert.equal(predictProba(fm, fs).length, 24);
    assertGradientsFlow(fm, fs);
    await assertRoundTrip(fm, fs);
    fm.net.dispose();
  }
});

test('3-D CNN learns a volume signal', () => {
  const fm = buildFusionModel(vol, 5);
  const train = volumes(64, 2);
  const hist = trainPhase(fm, train, null, { name: 'fit', trainable: ALL_LAYER_GROUPS, epochs: 6, batchSize: 16, learningRate: 1e-2, patience: 6, weightDecay: 0, augment: false }, { seed: 1, balanceClasses: false });
  // The front half is one SD brighter for positives (mean over 128 voxels: ~11 SE apart), so training loss must fall well below ln 2.
  assert.ok(hist.epochs[hist.epochs.length - 1].trainLoss < 0.5, `final loss ${hist.epochs[hist.epochs.length - 1].trainLoss}`);
  fm.net.dispose();
});

test('early fusion pools volumes with average-pooling-3d', () => {
  const fm = buildFusionModel({ ...vol, fusion: 'early' }, 1);
  assert.equal(fm.net.getLayer('img_early_pool').getClassName(), 'AveragePooling3D');
  assert.equal(predictProba(fm, volumes(4, 3)).length, 4);
  fm.net.dispose();
});

const samples = makeSamples({ sites: ['a'], perSite: 30, seed: 4 }).map((s, i): Sample => ({ ...s, text: i % 3 ? `nodule ${s.label ? 'spiculated irregular' : 'smooth round'}` : undefined }));

test('categorical embeddings: one embedding layer per categorical column, fed by category indices', async () => {
  const pre = fitPreprocessor(samples, { modalities: ['tabular'], schema: TEST_SCHEMA, image: { window: [0, 1], size: 8 }, categorical: 'embedding' });
  const spec = modelSpecFor({ ...DEFAULT_MODEL_SPEC, categoricalEmbedDim: 3 }, ['tabular'], pre);
  assert.deepEqual(spec.categoricalCardinalities, [3]);
  const fm = buildFusionModel(spec, 2);
  const emb = fm.net.getLayer('tab_cat1_embed');
  assert.equal(emb.getClassName(), 'Embedding');
  assert.deepEqual(emb.getWeights()[0].shape, [3, 3]);
  const fs = pre.transform(samples);
  assertGradientsFlow(fm, fs);
  // Changing only the category index changes the prediction, so the embedding is used.
  const flipped = { ...fs, categorical: { ...fs.categorical!, data: fs.categorical!.data.map((v) => (v === 1 ? 2 : 1)) } };
  assert.notDeepEqual(predictProba(fm, flipped), predictProba(fm, fs));
  await assertRoundTrip(fm, fs, pre);
  fm.net.dispose();
});

test('text modality: hashed n-grams into an MLP encoder, fused with tabular and masked where a note is missing', async () => {
  const pre = fitPreprocessor(samples, { modalities: ['tabular', 'text'], schema: TEST_SCHEMA, image: { window: [0, 1], size: 8 }, text: { dim: 32 } });
  const spec = modelSpecFor({ ...DEFAULT_MODEL_SPEC, textHidden: [6], masking: true }, ['tabular', 'text'], pre);
  assert.equal(spec.textDim, 32);
  const fm = buildFusionModel(spec, 3);
  assert.ok(fm.net.layers.some((l) => l.name === 'txt_dense1'));
  const fs = pre.transform(samples);
  assert.equal(fs.masks!.text![0], 0);
  assertGradientsFlow(fm, fs);
  await assertRoundTrip(fm, fs, pre);
  fm.net.dispose();
});
