import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { auroc } from '../../src/evaluate/metrics.js';
import { predictProba } from '../../src/models/fusion.js';
import { releasePerSourceModels } from '../../src/transfer/multi-source/per-source.js';
import { getStrategy, listStrategies } from '../../src/transfer/registry.js';
import { toyContext, toyTargetTest, toyTransferData } from './context.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

const data = toyTransferData();
const testRows = toyTargetTest();

test('every strategy of issue 4 is registered', () => {
  const want = ['source_only', 'target_only', 'pooled', 'freeze_unfreeze', 'linear_probe', 'full_finetune', 'gradual_unfreeze', 'discriminative_lr', 'l2sp', 'coral', 'mmd', 'dann', 'reweight_classifier', 'reweight_kmm', 'reweight_kliep', 'multi_source_weighted', 'source_selection_logme'];
  for (const name of want) assert.ok(listStrategies().includes(name), name);
});

test('every registered strategy trains a model that scores the held-out target rows', async (t) => {
  const ctx = toyContext(data);
  const lines: string[] = [];
  for (const name of listStrategies()) {
    const trained = await getStrategy(name).run(ctx);
    const fs = trained.preprocessor.transform(testRows);
    const p = predictProba(trained.model, fs);
    assert.equal(p.length, testRows.length, name);
    assert.ok(p.every((v) => v >= 0 && v <= 1), `${name}: probabilities out of range`);
    lines.push(`${name} ${auroc(fs.labels, p).toFixed(3)}`);
    // source_only (and ensemble_source_target at α = 1) return the shared pretrained model itself.
    if (trained.model !== (await ctx.pretrained()).model) trained.model.net.dispose();
  }
  t.diagnostic(`target AUROC: ${lines.join(', ')}`);
  await releasePerSourceModels(data);
  (await ctx.pretrained()).model.net.dispose();
});

test('strategies that need labels say so at a zero budget; the unsupervised ones run', async () => {
  const zero = { ...data, targetUnlabelled: [...data.targetUnlabelled, ...data.targetTrain, ...data.targetVal], targetTrain: [], targetVal: [] };
  const ctx = toyContext(zero);
  await assert.rejects(getStrategy('linear_probe').run(ctx), /linear_probe needs a target label budget above zero/);
  for (const name of ['coral', 'reweight_kmm', 'multi_source_weighted']) {
    const trained = await getStrategy(name).run(ctx);
    if (name === 'multi_source_weighted') assert.match(trained.report!.notes!.join(' '), /no target labels: sources weighted equally/);
    trained.model.net.dispose();
  }
  await releasePerSourceModels(zero);
  (await ctx.pretrained()).model.net.dispose();
});

test('a bad strategy option is rejected with the strategy and field named', async () => {
  await assert.rejects(getStrategy('l2sp').run(toyContext(data, { alpha: -1 })), /options of strategy 'l2sp': alpha/);
  await assert.rejects(getStrategy('coral').run(toyContext(data, { wieght: 1 })), /options of strategy 'coral'/);
});

test('re-weighting and multi-source strategies report typed findings', async () => {
  const ctx = toyContext(data);
  const rw = await getStrategy('reweight_classifier').run(ctx);
  const iw = rw.report!.importanceWeights!;
  assert.equal(iw.n, data.sourceTrain.length);
  assert.ok(iw.effectiveSampleSize > 0 && iw.effectiveSampleSize <= iw.n);
  const ms = await getStrategy('source_selection_logme').run(ctx);
  const sources = ms.report!.sources!;
  assert.deepEqual(sources.map((s) => s.site), ['a', 'b']);
  assert.ok(sources.every((s) => Number.isFinite(s.logme) && typeof s.selected === 'boolean' && Number.isFinite(s.targetValLoss)));
  assert.equal(sources.filter((s) => s.selected).length, 1, 'default topK keeps half of two sources');
  assert.ok(Number.isFinite(ms.report!.targetOnlyValLoss));
  // Negative transfer lists exactly the sources whose fine-tuned model lost to target-only on validation.
  assert.deepEqual(ms.report!.negativeTransfer, sources.filter((s) => s.targetValLoss! > ms.report!.targetOnlyValLoss!).map((s) => s.site));
  [rw, ms].forEach((m) => m.model.net.dispose());
  await releasePerSourceModels(data);
  (await ctx.pretrained()).model.net.dispose();
});
