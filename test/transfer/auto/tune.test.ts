import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { getStrategy } from '../../../src/transfer/registry.js';
import { useCpuBackend } from '../../helpers/cpu-backend.js';
import { toyContext, toyTransferData } from '../context.js';

before(async () => {
  await useCpuBackend();
});

test('tune scores every grid point by inner CV, refits the lowest-loss point on the whole budget, and records the grid', async () => {
  const data = toyTransferData(3, 36);
  const ctx = toyContext(data, { tune: { learningRateScales: [1, 4], epochs: [1, 12], folds: 3 } });
  const trained = await getStrategy('full_finetune').run(ctx);
  const tuning = trained.report?.tuning;
  assert.ok(tuning, 'a tuned regime reports its grid');
  assert.deepEqual(tuning.candidates.map((c) => c.name), ['lr x1, 1 epochs', 'lr x1, 12 epochs', 'lr x4, 1 epochs', 'lr x4, 12 epochs']);
  for (const c of tuning.candidates) assert.ok(Number.isFinite(c.meanLogLoss) && Number.isFinite(c.sdLogLoss), c.name);
  const best = tuning.candidates.reduce((a, b) => (b.meanLogLoss < a.meanLogLoss ? b : a));
  assert.equal(tuning.chosen, best.name);
  assert.equal(tuning.folds, 3);
  // The target concept differs from the sources' (toyTransferData), so one epoch at the base rate must lose to more training.
  assert.notEqual(tuning.chosen, 'lr x1, 1 epochs');
  const last = trained.history.at(-1)!;
  // The refit trains on all 36 labelled rows with no early-stopping rows, for the chosen number of epochs at most.
  assert.ok(last.epochs.every((e) => e.valLoss === null));
  assert.ok(last.epochs.length <= Number(/, (\d+) epochs/.exec(tuning.chosen)![1]));
  trained.model.net.dispose();
  (await ctx.pretrained()).model.net.dispose();
});

test('untuned (the default), a regime reports no tuning and stops early on the budget\'s validation rows', async () => {
  const data = toyTransferData(3, 36);
  const ctx = toyContext(data);
  const trained = await getStrategy('full_finetune').run(ctx);
  assert.equal(trained.report?.tuning, undefined);
  assert.ok(trained.history.at(-1)!.epochs.every((e) => e.valLoss !== null));
  trained.model.net.dispose();
  (await ctx.pretrained()).model.net.dispose();
});
