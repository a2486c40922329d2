import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ConfigError, parseExperiment } from '../../src/config/experiment.js';
import { buildFusionModel } from '../../src/models/fusion.js';
import { modelSpecFor } from '../../src/models/spec-for.js';
import { fitPreprocessor } from '../../src/preprocess/preprocessor.js';
import { makeSamples, TEST_SCHEMA } from '../helpers/samples.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

test('the model section defaults to intermediate concat fusion without dropout or masks', () => {
  const m = parseExperiment({}).model;
  assert.equal(m.fusion, 'intermediate');
  assert.equal(m.join, 'concat');
  assert.equal(m.lateCombine, 'weights');
  assert.equal(m.modalityDropout, 0);
  assert.equal(m.masking, undefined);
});

test('fusion options from config build the matching model', () => {
  const samples = makeSamples({ sites: ['a'], perSite: 10, seed: 1 });
  const pre = fitPreprocessor(samples, { modalities: ['image', 'tabular'], schema: TEST_SCHEMA, image: { window: [-1000, 400], size: 8 } });
  const cases = [
    [{ fusion: 'late', lateCombine: 'stacking' }, 'MedtlLateCombine'],
    [{ fusion: 'intermediate', join: 'gated' }, 'MedtlModalityFusion'],
    [{ fusion: 'early', modalityDropout: 0.2 }, 'MedtlModalityFusion'],
  ] as const;
  for (const [model, cls] of cases) {
    const cfg = parseExperiment({ model: { imageFilters: [2], ...model } });
    const fm = buildFusionModel(modelSpecFor(cfg.model, ['image', 'tabular'], pre), 1);
    assert.ok(fm.net.layers.some((l) => l.getClassName() === cls), `${JSON.stringify(model)} has a ${cls} layer`);
    // Dropout turns masking on, so the model takes a mask input.
    assert.equal(fm.net.inputLayers.some((l) => l.name === 'mask_input'), (cfg.model.modalityDropout ?? 0) > 0, JSON.stringify(model));
    fm.net.dispose();
  }
});

test('bad fusion options are rejected naming the key', () => {
  assert.throws(() => parseExperiment({ model: { fusion: 'middle' } }), (e: unknown) => e instanceof ConfigError && /model\.fusion/.test(e.message));
  assert.throws(() => parseExperiment({ model: { modalityDropout: 1 } }), (e: unknown) => e instanceof ConfigError && /model\.modalityDropout/.test(e.message));
});
