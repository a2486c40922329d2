// Child process for the quiet-output test: starts compute as the CLI does (initCompute), saves a
// small model bundle and loads it back, so whatever TF.js prints on the way lands on stderr.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCompute } from '../../src/compute/index.js';
import { loadModelBundle, saveModelBundle } from '../../src/models/artifact.js';
import { buildFusionModel, predictProba } from '../../src/models/fusion.js';
import { DEFAULT_MODEL_SPEC } from '../../src/models/spec.js';
import { fitPreprocessor } from '../../src/preprocess/preprocessor.js';
import { makeSamples, TEST_SCHEMA } from './samples.js';

await initCompute({ log: () => undefined });
const samples = makeSamples({ sites: ['a'], perSite: 10, seed: 1 });
const pre = fitPreprocessor(samples, { modalities: ['image', 'tabular'], schema: TEST_SCHEMA, image: { window: [-1000, 400], size: 8 } });
const fm = buildFusionModel({ ...DEFAULT_MODEL_SPEC, imageFilters: [4, 8], modalities: ['image', 'tabular'], imageShape: pre.image!.shape, tabularDim: pre.tabular!.dim }, 1);
const dir = await mkdtemp(join(tmpdir(), 'medtl-quiet-'));
try {
  await saveModelBundle(dir, { model: fm, preprocessor: pre });
  const bundle = await loadModelBundle(dir);
  process.stdout.write(`${predictProba(bundle.model, bundle.preprocessor.transform(samples)).length}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
