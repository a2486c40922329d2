import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadModelBundle, saveModelBundle } from '../../src/models/artifact.js';
import { embeddingOf } from '../../src/models/embedding.js';
import { buildFusionModel, forwardLogits, groupVariables, inputTensors, predictProba, range } from '../../src/models/fusion.js';
import { ALL_LAYER_GROUPS, DEFAULT_MODEL_SPEC, type ModelSpec } from '../../src/models/spec.js';
import { fitLateStacking } from '../../src/models/stacking.js';
import { dropModality, type FeatureSet } from '../../src/preprocess/features.js';
import { FittedPreprocessor } from '../../src/preprocess/preprocessor.js';
import { trainPhase } from '../../src/train/loop.js';
import { twoModalityFeatures } from './fusion-data.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

const base: ModelSpec = {
  ...DEFAULT_MODEL_SPEC,
  imageFilters: [2, 4],
  imageEmbed: 6,
  tabularHidden: [6],
  headHidden: 5,
  modalities: ['image', 'tabular'],
  imageShape: [8, 8, 1],
  tabularDim: 2,
};

const VARIANTS: Record<string, Partial<ModelSpec>> = {
  early: { fusion: 'early' },
  early_gated_masked: { fusion: 'early', join: 'gated', masking: true },
  intermediate_concat: { fusion: 'intermediate' },
  intermediate_gated: { fusion: 'intermediate', join: 'gated' },
  intermediate_masked_dropout: { fusion: 'intermediate', modalityDropout: 0.3 },
  late_weights: { fusion: 'late', lateCombine: 'weights', masking: true },
  late_stacking: { fusion: 'late', lateCombine: 'stacking', modalityDropout: 0.3 },
};

const data = twoModalityFeatures(48, 7, { tabShift: 3, imgShift: 1 });

/** Loss of the model on all rows, in training mode. */
function lossOf(spec: ModelSpec, fs: FeatureSet) {
  const fm = buildFusionModel(spec, 3);
  const inputs = inputTensors(fm, fs, range(0, fs.n));
  const y = tf.tensor1d(fs.labels);
  const vars = groupVariables(fm, ALL_LAYER_GROUPS);
  return { fm, inputs, y, vars };
}

for (const [name, opts] of Object.entries(VARIANTS)) {
  const spec: ModelSpec = { ...base, ...opts };

  test(`${name}: one probability per row, a head_dense embedding, and a save/load round trip with equal predictions`, async () => {
    const fm = buildFusionModel(spec, 11);
    const p = predictProba(fm, data);
    assert.equal(p.length, data.n);
    assert.ok(p.every((v) => v > 0 && v < 1));
    const emb = embeddingOf(fm, data);
    assert.ok(emb.dim > 0);
    assert.equal(emb.data.length, data.n * emb.dim);
    const dir = await mkdtemp(join(tmpdir(), 'medtl-fusion-'));
    await saveModelBundle(dir, { model: fm, preprocessor: new FittedPreprocessor([], undefined, undefined, []) });
    const loaded = await loadModelBundle(dir);
    // Same backend, same weights, same graph: float32 predictions are bit-identical.
    assert.deepEqual(predictProba(loaded.model, data), p);
    fm.net.dispose();
    loaded.model.net.dispose();
  });

  test(`${name}: every trainable variable receives a non-zero gradient`, () => {
    const { fm, inputs, y, vars } = lossOf(spec, data);
    const { grads } = tf.variableGrads(() => {
      const z = forwardLogits(fm, inputs, true);
      return tf.losses.sigmoidCrossEntropy(y, z) as tf.Scalar;
    }, vars);
    assert.equal(Object.keys(grads).length, vars.length);
    for (const [v, g] of Object.entries(grads)) assert.ok(tf.sum(tf.abs(g)).dataSync()[0] > 0, `no gradient reaches ${v}`);
    tf.dispose([...inputs, y, ...Object.values(grads)]);
    fm.net.dispose();
  });
}

test('masking: an absent modality contributes nothing, whatever its input holds', () => {
  for (const fusion of ['early', 'intermediate', 'late'] as const) {
    const fm = buildFusionModel({ ...base, fusion, masking: true }, 5);
    const dropped = dropModality(data, 'image');
    // Same mask (absent), different image content: the prediction must not move.
    const noisy: FeatureSet = { ...dropped, image: { shape: data.image!.shape, data: data.image!.data.map((v) => v * 3 + 1) } };
    assert.deepEqual(predictProba(fm, noisy), predictProba(fm, dropped), fusion);
    // With the mask saying present, the content does matter, so the check above can fail.
    assert.notDeepEqual(predictProba(fm, { ...noisy, masks: data.masks }), predictProba(fm, { ...dropped, masks: data.masks }), fusion);
    fm.net.dispose();
  }
});

test('modality dropout perturbs training passes only; inference is deterministic', () => {
  const fm = buildFusionModel({ ...base, modalityDropout: 0.5 }, 2);
  const inputs = inputTensors(fm, data, range(0, data.n));
  const a = forwardLogits(fm, inputs, true).dataSync();
  const b = forwardLogits(fm, inputs, true).dataSync();
  assert.notDeepEqual(a, b);
  assert.deepEqual(forwardLogits(fm, inputs, false).dataSync(), forwardLogits(fm, inputs, false).dataSync());
  tf.dispose(inputs);
  fm.net.dispose();
});

test('the default spec builds the original intermediate-concat layout with no fusion layer or mask input', () => {
  const fm = buildFusionModel(base, 1);
  const names = fm.net.layers.map((l) => l.name);
  assert.ok(names.includes('head_concat'));
  assert.ok(!names.includes('head_fusion'));
  assert.deepEqual(fm.net.inputLayers.map((l) => l.name), ['img_input', 'tab_input']);
  fm.net.dispose();
});

test('stacking fits a logistic regression on held-out per-modality logits and weights the informative modality more', () => {
  // Tabular is far more informative than the image here, so its stacking coefficient must be larger.
  const train = twoModalityFeatures(160, 1, { tabShift: 4, imgShift: 0.1 });
  const val = twoModalityFeatures(120, 2, { tabShift: 4, imgShift: 0.1 });
  const fm = buildFusionModel({ ...base, fusion: 'late', lateCombine: 'stacking' }, 4);
  trainPhase(fm, train, null, { name: 'fit', trainable: ALL_LAYER_GROUPS, epochs: 8, batchSize: 32, learningRate: 1e-2, patience: 8, weightDecay: 0, augment: false }, { seed: 1, balanceClasses: false });
  const before = predictProba(fm, val);
  const { coef } = fitLateStacking(fm, val);
  assert.equal(coef.length, 2);
  assert.ok(coef[1] > coef[0], `tabular coefficient ${coef[1]} should exceed image coefficient ${coef[0]}`);
  assert.notDeepEqual(predictProba(fm, val), before);
  fm.net.dispose();
});
