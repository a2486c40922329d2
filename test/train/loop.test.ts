import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildFusionModel } from '../../src/models/fusion.js';
import { DEFAULT_MODEL_SPEC } from '../../src/models/spec.js';
import { fitPreprocessor } from '../../src/preprocess/preprocessor.js';
import { dihedralAugment } from '../../src/train/augment.js';
import { balancedClassWeights, evaluateLoss, trainPhase } from '../../src/train/loop.js';
import { Rng } from '../../src/util/random.js';
import { makeSamples, TEST_SCHEMA } from '../helpers/samples.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

test('balanced class weights give each class half the total weight', () => {
  const w = balancedClassWeights(new Float32Array([1, 0, 0, 0]));
  assert.equal(w.pos, 2);
  assert.ok(Math.abs(w.neg - 4 / 6) < 1e-12);
  assert.ok(Math.abs(1 * w.pos - 3 * w.neg) < 1e-12);
  assert.deepEqual(balancedClassWeights(new Float32Array([1, 1])), { pos: 1, neg: 1 });
});

test('a phase never leaves the model worse on validation than it started', () => {
  const samples = makeSamples({ sites: ['a'], perSite: 80, seed: 8 });
  const spec = { modalities: ['tabular'] as const, schema: TEST_SCHEMA, image: { window: [-1000, 400] as const, size: 8 } };
  const pre = fitPreprocessor(samples.slice(0, 20), spec);
  const fm = buildFusionModel({ ...DEFAULT_MODEL_SPEC, modalities: ['tabular'], tabularDim: pre.tabular!.dim }, 1);
  const train = pre.transform(samples.slice(0, 20));
  // Validation labels flipped: anything learned from train makes validation worse.
  const val = pre.transform(samples.slice(20).map((s) => ({ ...s, label: (1 - s.label) as 0 | 1 })));
  const w = balancedClassWeights(train.labels);
  const before = evaluateLoss(fm, val, w);
  const hist = trainPhase(fm, train, val, { name: 'p', trainable: ['tabular', 'head'], epochs: 6, batchSize: 8, learningRate: 0.05, patience: 2, weightDecay: 0, augment: false }, { seed: 1, balanceClasses: true });
  const after = evaluateLoss(fm, val, w);
  assert.ok(hist.epochs.some((e) => e.valLoss! > before), 'training must have hurt validation at some epoch for this test to mean anything');
  assert.equal(hist.bestEpoch, -1);
  assert.ok(Math.abs(after - before) < 1e-6, `${after} vs ${before}`);
  assert.ok(hist.stoppedEarly);
  fm.net.dispose();
});

test('with minSteps the phase moves the weights even where the starting weights would win on validation', () => {
  // The same flipped-validation case as above, where without a minimum the starting weights are kept.
  const samples = makeSamples({ sites: ['a'], perSite: 80, seed: 8 });
  const spec = { modalities: ['tabular'] as const, schema: TEST_SCHEMA, image: { window: [-1000, 400] as const, size: 8 } };
  const pre = fitPreprocessor(samples.slice(0, 20), spec);
  const fm = buildFusionModel({ ...DEFAULT_MODEL_SPEC, modalities: ['tabular'], tabularDim: pre.tabular!.dim }, 1);
  const start = fm.net.getWeights().map((t) => t.dataSync().slice());
  const train = pre.transform(samples.slice(0, 20));
  const val = pre.transform(samples.slice(20).map((s) => ({ ...s, label: (1 - s.label) as 0 | 1 })));
  const hist = trainPhase(fm, train, val, { name: 'p', trainable: ['tabular', 'head'], epochs: 6, batchSize: 8, learningRate: 0.05, patience: 2, weightDecay: 0, augment: false, minSteps: 6 }, { seed: 1, balanceClasses: true });
  // 20 rows in batches of 8 is 3 steps an epoch, so the 6-step minimum is reached after epoch 1.
  assert.ok(hist.bestEpoch >= 1, `bestEpoch ${hist.bestEpoch}`);
  const end = fm.net.getWeights().map((t) => t.dataSync());
  const maxChange = Math.max(...end.map((w, i) => Math.max(...w.map((v, j) => Math.abs(v - start[i][j])))));
  // Learning rate 0.05 for at least 6 steps moves some weight far beyond float noise.
  assert.ok(maxChange > 1e-3, `largest weight change ${maxChange}`);
  fm.net.dispose();
});

test('a phase with nothing to train says which groups', () => {
  const samples = makeSamples({ sites: ['a'], perSite: 10, seed: 1 });
  const spec = { modalities: ['tabular'] as const, schema: TEST_SCHEMA, image: { window: [-1000, 400] as const, size: 8 } };
  const pre = fitPreprocessor(samples, spec);
  const fm = buildFusionModel({ ...DEFAULT_MODEL_SPEC, modalities: ['tabular'], tabularDim: pre.tabular!.dim }, 1);
  assert.throws(
    () => trainPhase(fm, pre.transform(samples), null, { name: 'img', trainable: ['image'], epochs: 1, batchSize: 4, learningRate: 0.01, patience: 1, weightDecay: 0, augment: false }, { seed: 1, balanceClasses: true }),
    /phase 'img': no trainable variables in groups \[image\]/,
  );
  fm.net.dispose();
});

test('dihedral augmentation permutes pixels within each image and is seeded', () => {
  const n = 16;
  const size = 5;
  const data = new Float32Array(n * size * size).map((_, i) => i);
  const a = data.slice();
  const b = data.slice();
  dihedralAugment(a, n, size, size, 1, new Rng(3));
  dihedralAugment(b, n, size, size, 1, new Rng(3));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, data);
  for (let i = 0; i < n; i++) {
    const got = [...a.subarray(i * 25, (i + 1) * 25)].sort((x, y) => x - y);
    assert.deepEqual(got, [...data.subarray(i * 25, (i + 1) * 25)]);
    // The centre pixel is fixed by every rotation and flip.
    assert.equal(a[i * 25 + 12], data[i * 25 + 12]);
  }
  assert.throws(() => dihedralAugment(new Float32Array(6), 1, 2, 3, 1, new Rng(1)), /square images, got 2x3/);
});

test('dihedral augmentation yields exactly the 8 rotations and reflections, channels kept together', () => {
  const h = 3;
  const base = Array.from({ length: h * h }, (_, i) => i);
  // The dihedral group of the square, from a 90° rotation and a mirror written out independently.
  const rot = (im: number[]) => im.map((_, p) => im[(h - 1 - (p % h)) * h + Math.floor(p / h)]);
  const mirror = (im: number[]) => im.map((_, p) => im[Math.floor(p / h) * h + (h - 1 - (p % h))]);
  const group = new Set<string>();
  let im = base;
  for (let r = 0; r < 4; r++, im = rot(im)) [im, mirror(im)].forEach((g) => group.add(g.join()));
  assert.equal(group.size, 8);
  const n = 200;
  const data = new Float32Array(n * h * h * 2);
  for (let i = 0; i < n; i++) base.forEach((v, p) => data.set([v, -v - 1], (i * h * h + p) * 2));
  dihedralAugment(data, n, h, h, 2, new Rng(11));
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const img = data.subarray(i * h * h * 2, (i + 1) * h * h * 2);
    const first = Array.from({ length: h * h }, (_, p) => img[p * 2]);
    for (let p = 0; p < h * h; p++) assert.equal(img[p * 2 + 1], -img[p * 2] - 1, `image ${i} pixel ${p}: channels split`);
    seen.add(first.join());
  }
  assert.deepEqual([...seen].sort(), [...group].sort());
});
