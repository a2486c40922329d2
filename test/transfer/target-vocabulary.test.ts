import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ColumnSpec, Sample } from '../../src/data/types.js';
import { auroc } from '../../src/evaluate/metrics.js';
import { predictProba } from '../../src/models/fusion.js';
import { fitPreprocessor } from '../../src/preprocess/preprocessor.js';
import { pretrainOnSources, pretrainWithVocabulary } from '../../src/transfer/pretrain.js';
import { getStrategy } from '../../src/transfer/registry.js';
import type { TrainedModel, TransferContext, TransferData } from '../../src/transfer/types.js';
import { Rng } from '../../src/util/random.js';
import { toyContext } from './context.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

const SCHEMA: ColumnSpec[] = [
  { name: 'age', kind: 'numeric', unit: 'years' },
  { name: 'view', kind: 'categorical' },
];

/**
 * Sources record the view as AP or PA, which carries no signal there; the target uses only its own codes
 * LAT and OBL, and there LAT raises the risk strongly. A source-only vocabulary encodes both target codes
 * as the same all-zero "unseen" block, so no model can tell them apart.
 */
function rows(site: string, n: number, seed: number): Sample[] {
  const rng = new Rng(seed);
  const target = site === 't';
  return Array.from({ length: n }, (_, i) => {
    const age = rng.normal(60, 10);
    const view = target ? (rng.bernoulli(0.5) ? 'LAT' : 'OBL') : rng.bernoulli(0.5) ? 'AP' : 'PA';
    const z = (age - 60) / 10 + (target ? (view === 'LAT' ? 2 : -2) : 0) + rng.normal(0, 0.5);
    return { subjectId: `s${i}`, siteId: site, label: z > 0 ? 1 : 0, tabular: { age, view } };
  });
}

const SOURCE = [...rows('a', 120, 1), ...rows('b', 120, 2)];
const TARGET = rows('t', 160, 3);
const TEST = TARGET.slice(100);
const DATA: TransferData = { sourceTrain: SOURCE.slice(40), sourceVal: SOURCE.slice(0, 40), targetTrain: TARGET.slice(0, 30), targetVal: TARGET.slice(30, 40), targetUnlabelled: TARGET.slice(40, 100) };

/** A toy context on these rows, fine-tuning long enough for new input weights to grow from zero. */
function context(data: TransferData, vocabulary: 'target' | 'source', categorical: 'onehot' | 'embedding' = 'onehot'): TransferContext {
  const base = toyContext(data);
  const ctx: TransferContext = { ...base, schema: SCHEMA, categorical, plan: { ...base.plan, finetune: { ...base.plan.finetune, epochs: 40, patience: 40, learningRate: 5e-3 } } };
  let pretrained: Promise<TrainedModel> | undefined;
  return { ...ctx, pretrained: () => (pretrained ??= Promise.resolve().then(() => (vocabulary === 'target' ? pretrainOnSources(ctx) : pretrainWithVocabulary(ctx, [])))) };
}

function targetAuroc(m: TrainedModel): number {
  const fs = m.preprocessor.transform(TEST);
  return auroc(fs.labels, predictProba(m.model, fs));
}

test('a target-only category gets its own column and a fine-tuned model uses its signal; a source-only vocabulary loses it', async (t) => {
  const withTarget = await getStrategy('full_finetune').run(context(DATA, 'target'));
  const sourceOnly = await getStrategy('full_finetune').run(context(DATA, 'source'));
  const cols = withTarget.preprocessor.tabular!.state.featureNames;
  assert.ok(cols.includes('view=LAT') && cols.includes('view=OBL'), `features ${cols.join(', ')}`);
  assert.ok(!sourceOnly.preprocessor.tabular!.state.featureNames.includes('view=LAT'));
  const a = targetAuroc(withTarget);
  const b = targetAuroc(sourceOnly);
  t.diagnostic(`target test AUROC (60 rows) of full_finetune: target-aware vocabulary ${a.toFixed(3)}, source-only ${b.toFixed(3)}`);
  // View shifts the target log-odds by ±2 against age's 1 per SD, so a model that sees it ranks far better
  // (1.000 vs 0.763 when written); 0.1 is under half that gap and about 1.5 SE of an AUROC on 60 rows.
  assert.ok(a > b + 0.1, `target-aware ${a} vs source-only ${b}`);
});

for (const encoding of ['onehot', 'embedding'] as const) {
  test(`new ${encoding} categories start with no effect: the source model scores a target-only code exactly as an unseen one`, async () => {
    const pre = await context(DATA, 'target', encoding).pretrained();
    const lat = TEST.filter((s) => s.tabular!.view === 'LAT');
    const asUnseen = lat.map((s) => ({ ...s, tabular: { ...s.tabular, view: 'never-seen' } }));
    const p = predictProba(pre.model, pre.preprocessor.transform(lat));
    const q = predictProba(pre.model, pre.preprocessor.transform(asUnseen));
    // Float32 forward passes of identical inputs agree exactly; 1e-6 only allows for summation order.
    p.forEach((v, i) => assert.ok(Math.abs(v - q[i]) < 1e-6, `row ${i}: ${v} vs ${q[i]}`));
  });
}

test('the vocabulary never reads target labels: flipped or unreadable target labels give the same preprocessor', async () => {
  const flip = (s: Sample): Sample => ({ ...s, label: s.label === 1 ? 0 : 1 });
  const flipped: TransferData = { ...DATA, targetTrain: DATA.targetTrain.map(flip), targetVal: DATA.targetVal.map(flip), targetUnlabelled: DATA.targetUnlabelled.map(flip) };
  const a = (await context(DATA, 'target').pretrained()).preprocessor.toJSON();
  const b = (await context(flipped, 'target').pretrained()).preprocessor.toJSON();
  assert.deepEqual(a, b);
  // The fit itself, handed rows whose label throws when read, still fits the same vocabulary.
  const poisoned = TARGET.map((s) => Object.defineProperty({ ...s }, 'label', { get: () => assert.fail(`label of ${s.subjectId} was read`) }) as Sample);
  const pre = fitPreprocessor(DATA.sourceTrain, { modalities: ['tabular'], schema: SCHEMA, image: { window: [0, 1], size: 8 }, vocabularyRows: poisoned });
  const view = pre.tabular!.categoricalColumns.find((c) => c.name === 'view')!;
  assert.deepEqual(view.categories, ['AP', 'LAT', 'OBL', 'PA']);
  assert.deepEqual(view.unlabelledOnly, ['LAT', 'OBL']);
});
