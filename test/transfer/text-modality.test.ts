import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../../src/data/types.js';
import { DEFAULT_MODEL_SPEC } from '../../src/models/spec.js';
import { pretrainOnSources } from '../../src/transfer/pretrain.js';
import { getStrategy } from '../../src/transfer/registry.js';
import type { TrainedModel, TransferContext, TransferData } from '../../src/transfer/types.js';
import { silentProgress } from '../../src/util/progress.js';
import { Rng } from '../../src/util/random.js';
import { TEST_SCHEMA } from '../helpers/samples.js';
import { toyTransferData } from './context.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

const PLAN = { epochs: 3, batchSize: 16, learningRate: 5e-3, patience: 3, weightDecay: 0, augment: false };

/** Toy data with a clinical note per subject whose wording follows the label (a few notes left out). */
function withNotes(data: TransferData): TransferData {
  const rng = new Rng(11);
  const note = (s: Sample): Sample => (rng.bernoulli(0.1) ? s : { ...s, text: s.label ? 'spiculated nodule, growing since last scan' : 'stable benign granuloma, calcified' });
  return {
    sourceTrain: data.sourceTrain.map(note),
    sourceVal: data.sourceVal.map(note),
    targetTrain: data.targetTrain.map(note),
    targetVal: data.targetVal.map(note),
    targetUnlabelled: data.targetUnlabelled.map(note),
  };
}

function textContext(data: TransferData, categorical?: 'embedding'): TransferContext {
  let pretrained: Promise<TrainedModel> | undefined;
  const ctx: TransferContext = {
    data,
    modalities: ['tabular', 'text'],
    schema: TEST_SCHEMA,
    image: { window: [-1000, 400], size: 8 },
    ...(categorical ? { categorical } : {}),
    architecture: DEFAULT_MODEL_SPEC,
    plan: { pretrain: PLAN, head: PLAN, finetune: PLAN, scratch: PLAN },
    seed: 3,
    progress: silentProgress,
    label: 'text',
    pretrained: () => (pretrained ??= Promise.resolve().then(() => pretrainOnSources(ctx))),
  };
  return ctx;
}

const textWeights = (m: TrainedModel): Float32Array[] =>
  m.model.net.layers.filter((l) => l.name.startsWith('txt_')).flatMap((l) => l.getWeights().map((w) => w.dataSync() as Float32Array));

test('a text method fits the note featuriser, sizes the text encoder from it, and fine-tuning trains the text layers too', async () => {
  await useCpuBackend();
  const ctx = textContext(withNotes(toyTransferData()));
  const pretrained = await ctx.pretrained();
  assert.ok(pretrained.preprocessor.text, 'the preprocessor fitted the notes');
  assert.equal(pretrained.model.spec.textDim, pretrained.preprocessor.text!.dim);
  const before = textWeights(pretrained);
  assert.ok(before.length > 0, 'the model has txt_ layers');
  const tuned = await getStrategy('full_finetune').run(ctx);
  const after = textWeights(tuned);
  // Any change at all proves the text layers were trainable in the whole-model phase (they were frozen when phases listed image, tabular and head only).
  assert.ok(after.some((w, i) => w.some((v, j) => v !== before[i][j])), 'fine-tuning changed the text encoder');
});

test('the categorical encoding of the context reaches the preprocessor and the model spec', async () => {
  await useCpuBackend();
  const ctx = textContext(withNotes(toyTransferData()), 'embedding');
  const trained = await getStrategy('target_only').run(ctx);
  const cats = TEST_SCHEMA.filter((c) => c.kind === 'categorical');
  assert.ok(cats.length > 0);
  assert.equal(trained.preprocessor.tabular?.embedsCategories, true);
  assert.equal(trained.model.spec.categoricalCardinalities?.length, cats.length);
});
