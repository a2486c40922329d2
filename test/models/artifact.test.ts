import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadModelBundle, saveModelBundle } from '../../src/models/artifact.js';
import { buildFusionModel, predictProba } from '../../src/models/fusion.js';
import { DEFAULT_MODEL_SPEC } from '../../src/models/spec.js';
import { fitPreprocessor } from '../../src/preprocess/preprocessor.js';
import { trainPhase } from '../../src/train/loop.js';
import { makeSamples, TEST_SCHEMA } from '../helpers/samples.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

const samples = makeSamples({ sites: ['a', 'b'], perSite: 40, seed: 21 });
const spec = { modalities: ['image', 'tabular'] as const, schema: TEST_SCHEMA, image: { window: [-1000, 400] as const, size: 8 } };

function trainSmall(seed: number) {
  const pre = fitPreprocessor(samples.slice(0, 60), spec);
  const fm = buildFusionModel({ ...DEFAULT_MODEL_SPEC, imageFilters: [4, 8], modalities: spec.modalities, imageShape: pre.image!.shape, tabularDim: pre.tabular!.dim }, seed);
  const phase = { name: 'p', trainable: ['image', 'tabular', 'head'] as const, epochs: 3, batchSize: 16, learningRate: 1e-2, patience: 5, weightDecay: 1e-4, augment: false };
  const hist = trainPhase(fm, pre.transform(samples.slice(0, 60)), pre.transform(samples.slice(60)), phase, { seed, balanceClasses: true });
  return { pre, fm, hist };
}

test('training is deterministic under a seed and differs across seeds', () => {
  const a = trainSmall(5);
  const b = trainSmall(5);
  const c = trainSmall(6);
  const pa = predictProba(a.fm, a.pre.transform(samples));
  const pb = predictProba(b.fm, b.pre.transform(samples));
  const pc = predictProba(c.fm, c.pre.transform(samples));
  assert.deepEqual(pa, pb);
  assert.notDeepEqual(pa, pc);
  assert.deepEqual(a.hist.epochs, b.hist.epochs);
  for (const m of [a, b, c]) m.fm.net.dispose();
});

test('a saved model loads in a new process and predicts identically', async () => {
  const { pre, fm } = trainSmall(3);
  const dir = await mkdtemp(join(tmpdir(), 'medtl-model-'));
  await saveModelBundle(join(dir, 'model'), { model: fm, preprocessor: pre });
  const inputs = samples.slice(60);
  const expected = predictProba(fm, pre.transform(inputs));
  const inFile = join(dir, 'inputs.json');
  await writeFile(inFile, JSON.stringify(inputs.map((s) => ({ ...s, image: { ...s.image!, data: [...s.image!.data] } }))));
  const script = new URL('../helpers/predict-child.ts', import.meta.url).pathname;
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, inFile, join(dir, 'model')], { cwd: process.cwd(), encoding: 'utf8' });
  const got = JSON.parse(out) as number[];
  assert.equal(got.length, expected.length);
  // Same backend, same weights, same inputs: float32 results must be bit-identical once parsed back.
  got.forEach((v, i) => assert.equal(Math.fround(v), expected[i]));
  fm.net.dispose();
});

test('a tampered artefact is refused, naming the file', async () => {
  const { pre, fm } = trainSmall(4);
  const dir = await mkdtemp(join(tmpdir(), 'medtl-model-'));
  await saveModelBundle(dir, { model: fm, preprocessor: pre });
  const w = await readFile(join(dir, 'weights.bin'));
  w[0] ^= 0xff;
  await writeFile(join(dir, 'weights.bin'), w);
  await assert.rejects(loadModelBundle(dir), /weights\.bin: sha256 .* does not match the manifest/);
  fm.net.dispose();
});
