import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelBlindStage, releaseLabelBlindStages } from '../../src/transfer/stage-cache.js';
import type { TrainedModel, TransferContext } from '../../src/transfer/types.js';
import { toyContext, toyTransferData } from './context.js';

/** A stand-in trained model whose net only counts disposals. */
function fake(counter: { disposed: number }): TrainedModel {
  return { model: { net: { dispose: () => counter.disposed++ } }, preprocessor: {}, history: [] } as unknown as TrainedModel;
}

test('a label-blind stage is shared across label budgets but not across architectures, options or pools', async () => {
  const data = toyTransferData();
  const counter = { disposed: 0 };
  let builds = 0;
  const build = () => (builds++, fake(counter));
  const base = toyContext(data);
  await labelBlindStage(base, 's', build);
  // Same subjects, labels moved into the unlabelled pool: a different budget, the same label-blind input.
  const zero = { ...data, targetUnlabelled: [...data.targetUnlabelled, ...data.targetTrain, ...data.targetVal], targetTrain: [], targetVal: [] };
  await labelBlindStage(toyContext(zero), 's', build);
  assert.equal(builds, 1);
  const other: TransferContext = { ...base, architecture: { ...base.architecture, fusion: 'late' } };
  await labelBlindStage(other, 's', build);
  await labelBlindStage(toyContext(data, { epochs: 3 }), 's', build);
  await labelBlindStage(toyContext({ ...data, targetUnlabelled: data.targetUnlabelled.slice(1) }), 's', build);
  assert.equal(builds, 4);
  await releaseLabelBlindStages(data);
  assert.equal(counter.disposed, 4);
});
