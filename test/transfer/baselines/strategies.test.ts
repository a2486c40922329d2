import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { auroc } from '../../../src/evaluate/metrics.js';
import { loadModelBundle, saveModelBundle } from '../../../src/models/artifact.js';
import { predictProba } from '../../../src/models/fusion.js';
import { featureTable } from '../../../src/transfer/baselines/features.js';
import { linearLogits } from '../../../src/transfer/baselines/l2-logistic.js';
import { blendedModel, linearFusionModel } from '../../../src/transfer/baselines/linear-model.js';
import { chooseBlendWeight } from '../../../src/transfer/baselines/strategies.js';
import { getStrategy } from '../../../src/transfer/registry.js';
import type { TrainedModel, TransferContext } from '../../../src/transfer/types.js';
import { pretrainOnSources } from '../../../src/transfer/pretrain.js';
import type { Sample } from '../../../src/data/types.js';
import { layerFeatures } from '../../../src/transfer/updating/logit-layer.js';
import { Rng } from '../../../src/util/random.js';
import { useCpuBackend } from '../../helpers/cpu-backend.js';
import { makeSamples } from '../../helpers/samples.js';
import { toyContext, toyTargetTest, toyTransferData } from '../context.js';

before(async () => {
  await useCpuBackend();
});

const alphaOf = (m: TrainedModel): number => Number(/source weight α = ([\d.]+)/.exec(m.report!.notes![0])![1]);

async function roundTrip(m: TrainedModel, rows = toyTargetTest()): Promise<void> {
  const fs = m.preprocessor.transform(rows);
  const dir = await mkdtemp(join(tmpdir(), 'medtl-baselines-'));
  try {
    await saveModelBundle(dir, m);
    const loaded = await loadModelBundle(dir);
    assert.deepEqual(predictProba(loaded.model, fs), predictProba(m.model, fs));
    loaded.model.net.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('linearFusionModel computes exactly x·coef + b through its ReLU layers', () => {
  const rng = new Rng(5);
  const d = 4;
  const x = Float64Array.from({ length: 10 * d }, () => rng.normal(0, 2));
  const m = { coef: Float64Array.of(0.7, -1.2, 0, 2.5), intercept: -0.4 };
  const fm = linearFusionModel({ tabularDim: d }, m, 1);
  const fs = { n: 10, labels: new Float32Array(10), keys: [], sites: [], tabular: { dim: d, data: Float32Array.from(x) } };
  const want = linearLogits({ n: 10, k: d, x: Float64Array.from(Float32Array.from(x)) }, m);
  // float32 weights and activations: 1e-4 on logits of size ~10.
  Array.from(layerFeatures(fm, fs, 'head_logit').h).forEach((z, i) => assert.ok(Math.abs(z - want[i]) < 1e-4, `row ${i}: ${z} vs ${want[i]}`));
  fm.net.dispose();
});

test('source_only_logistic and target_only_logistic fit where they should, report the penalty, and save/load', async () => {
  const data = toyTransferData(3, 60);
  const ctx = toyContext(data);
  const test = toyTargetTest();
  const src = await getStrategy('source_only_logistic').run(ctx);
  const tgt = await getStrategy('target_only_logistic').run(ctx);
  assert.match(src.report!.notes![0], /^L2 logistic regression on record features \(\d+ columns, 160 rows\): λ = .* by 5-fold inner CV/);
  assert.deepEqual(src.preprocessor.toJSON().fittedOn, [...data.sourceTrain, ...data.sourceVal].map((s) => `${s.siteId}/${s.subjectId}`));
  assert.deepEqual(tgt.preprocessor.toJSON().fittedOn, [...data.targetTrain, ...data.targetVal].map((s) => `${s.siteId}/${s.subjectId}`));
  // The target's label is the smoker flag alone: the target-fitted regression finds it, the source one (another rule) less so.
  const score = (m: TrainedModel) => auroc(Array.from(test, (s) => s.label), predictProba(m.model, m.preprocessor.transform(test)));
  assert.ok(score(tgt) > 0.95, `target_only_logistic AUROC ${score(tgt)}`);
  assert.ok(score(tgt) > score(src), `target ${score(tgt)} vs source ${score(src)}`);
  await roundTrip(src);
  await roundTrip(tgt);
  src.model.net.dispose();
  tgt.model.net.dispose();
  (await ctx.pretrained()).model.net.dispose();
});

test('target_only_logistic falls back, and says so, when the budget has one class', async () => {
  const data = toyTransferData(3, 24);
  const ones = { ...data, targetTrain: data.targetTrain.map((s) => ({ ...s, label: 1 as const })), targetVal: data.targetVal.map((s) => ({ ...s, label: 1 as const })) };
  const m = await getStrategy('target_only_logistic').run(toyContext(ones));
  assert.match(m.report!.notes![0], /one class only \(24 positives of 24\): constant model/);
  m.model.net.dispose();
});

test('the ensemble weight goes to the target side when only the target logistic has signal', async () => {
  // Concept shift: the target's label is "younger than 60" (with label noise, so no blend ranks perfectly), the reverse of
  // the sources' age effect, so the source logit ranks it wrongly.
  const rng = new Rng(4);
  const young = (s: Sample): Sample => ({ ...s, label: ((s.tabular!.age as number | null) ?? 60) + rng.normal(0, 5) < 60 ? 1 : 0 });
  const base = toyTransferData(3, 60);
  const ctx = toyContext({ ...base, targetTrain: base.targetTrain.map(young), targetVal: base.targetVal.map(young) });
  const m = await getStrategy('ensemble_source_target').run(ctx);
  assert.ok(alphaOf(m) <= 0.3, m.report!.notes![0]);
  await roundTrip(m, toyTargetTest().map(young));
  m.model.net.dispose();
  (await ctx.pretrained()).model.net.dispose();
});

test('the ensemble weight stays on the source side when source and target agree', async () => {
  // Target labels follow the sources' rule: both logits rank the same way, so no blend beats the source alone by more than noise.
  const samples = makeSamples({ sites: ['a', 'b', 'c'], perSite: 120, seed: 8 });
  const src = samples.filter((s) => s.siteId !== 'c');
  const tgt = samples.filter((s) => s.siteId === 'c');
  const data = { sourceTrain: src.filter((_, i) => i % 5 !== 0), sourceVal: src.filter((_, i) => i % 5 === 0), targetTrain: tgt.slice(0, 28), targetVal: tgt.slice(28, 40), targetUnlabelled: [] };
  const ctx = toyContext(data, undefined, 2);
  const m = await getStrategy('ensemble_source_target').run(ctx);
  assert.ok(alphaOf(m) >= 0.7, m.report!.notes![0]);
  const source = await ctx.pretrained();
  // α = 1 returns the source model itself (so the run record can say "kept source model").
  if (alphaOf(m) === 1) assert.equal(m.model, source.model);
  else m.model.net.dispose();
  source.model.net.dispose();
});

test('chooseBlendWeight: equal rankings tie and the tie goes to the source; a blend beats either side alone where each carries half the signal', () => {
  const rng = new Rng(9);
  const n = 400;
  const a = Array.from({ length: n }, () => rng.normal());
  const b = Array.from({ length: n }, () => rng.normal());
  const y = a.map((v, i) => (v + b[i] + rng.normal(0, 0.3) > 0 ? 1 : 0));
  assert.equal(chooseBlendWeight(y, a, a.map((v) => 3 * v)).alpha, 1);
  const mid = chooseBlendWeight(y, a, b).alpha;
  assert.ok(mid >= 0.3 && mid <= 0.7, `alpha ${mid}`);
  assert.equal(chooseBlendWeight(y, a.map(() => rng.normal()), b).alpha, 0);
});

test('blendedModel predicts α·z_src + (1 − α)·(x·coef + b) on the source model\'s own inputs', async () => {
  const ctx = toyContext(toyTransferData(3, 24));
  const source = await ctx.pretrained();
  const fs = source.preprocessor.transform(toyTargetTest());
  const table = featureTable(fs, { record: true, image: false });
  const m = { coef: Float64Array.from({ length: table.k }, (_, j) => (j % 2 ? 0.3 : -0.2)), intercept: 0.1 };
  const blend = blendedModel(source.model, { record: true, image: false }, 0.4, m, 3);
  const zs = layerFeatures(source.model, fs, 'head_logit').h;
  const zt = linearLogits(table, m);
  // float32 graph against float64 sums: 1e-4 on logits of size ~5.
  Array.from(layerFeatures(blend, fs, 'head_blend').h).forEach((z, i) => assert.ok(Math.abs(z - (0.4 * zs[i] + 0.6 * zt[i])) < 1e-4, `row ${i}`));
  blend.net.dispose();
  source.model.net.dispose();
});

test('image_embedding features read the frozen source image encoder; bad feature choices name the strategy', async () => {
  const data = toyTransferData(3, 60);
  let pretrained: Promise<TrainedModel> | undefined;
  const ctx: TransferContext = { ...toyContext(data), modalities: ['image', 'tabular'], options: { features: 'both' }, pretrained: () => (pretrained ??= Promise.resolve().then(() => pretrainOnSources(ctx))) };
  const m = await getStrategy('source_only_logistic').run(ctx);
  const source = await ctx.pretrained();
  assert.deepEqual(m.model.spec.modalities, ['image', 'tabular']);
  const srcConv = source.model.net.getLayer('img_conv1').getWeights()[0].dataSync();
  assert.deepEqual(m.model.net.getLayer('img_conv1').getWeights()[0].dataSync(), srcConv);
  assert.match(m.report!.notes![0], /on both features \(\d+ columns/);
  await roundTrip(m);
  m.model.net.dispose();
  await assert.rejects(getStrategy('target_only_logistic').run({ ...toyContext(data), options: { features: 'image_embedding' } }), /target_only_logistic with features 'image_embedding' needs the image modality/);
  source.model.net.dispose();
});
