import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { parseExperiment } from '../../../src/config/experiment.js';
import { getStrategy, listStrategies } from '../../../src/transfer/registry.js';
import { DEFAULT_AUTO_CANDIDATES } from '../../../src/transfer/auto/strategy.js';
import { useCpuBackend } from '../../helpers/cpu-backend.js';
import { interceptShiftData, wellTrainedContext } from './cohort.js';

before(async () => {
  await useCpuBackend();
});

test('auto picks recalibration in the large over full fine-tuning for an intercept-only shift, and records every candidate', async () => {
  const { data } = interceptShiftData(1.5, 40, 5);
  const candidates = ['source_only', 'update_intercept', 'full_finetune'];
  const ctx = wellTrainedContext(data, { candidates });
  const trained = await getStrategy('auto').run(ctx);
  const auto = trained.report?.auto;
  assert.ok(auto);
  assert.equal(auto.chosen, 'update_intercept', JSON.stringify(auto.candidates));
  assert.deepEqual(auto.candidates.map((c) => c.name), candidates);
  for (const c of auto.candidates) {
    assert.ok(Number.isFinite(c.meanLogLoss) && Number.isFinite(c.sdLogLoss) && Number.isFinite(c.meanAuroc), `${c.name} has a score and a spread`);
    assert.ok(Number.isFinite(c.gainOverSourceOnly) && Number.isFinite(c.gainSe));
  }
  // Five folds asked (the default), capped by the smaller class of the budget.
  const budget = [...data.targetTrain, ...data.targetVal];
  const pos = budget.filter((s) => s.label === 1).length;
  assert.equal(auto.folds, Math.min(5, pos, budget.length - pos));
  // The refit is the chosen strategy's own run on the whole budget: its report comes through.
  assert.match(trained.report?.notes?.join(' ') ?? '', /intercept update/);
  const full = auto.candidates.find((c) => c.name === 'full_finetune')!;
  const intercept = auto.candidates.find((c) => c.name === 'update_intercept')!;
  assert.ok(intercept.meanLogLoss < full.meanLogLoss);
  trained.model.net.dispose();
  (await ctx.pretrained()).model.net.dispose();
});

test('auto keeps source_only when the target has no shift, although a candidate has a lower mean inner-CV loss (the guard)', async () => {
  // Seed and noise picked so that update_intercept's mean loss is lower than source_only's by less than one standard error.
  const { data } = interceptShiftData(0, 40, 8, 1.5);
  const ctx = wellTrainedContext(data, { candidates: ['source_only', 'update_intercept', 'update_logistic', 'update_revision', 'full_finetune'] });
  const trained = await getStrategy('auto').run(ctx);
  const auto = trained.report!.auto!;
  const source = auto.candidates.find((c) => c.name === 'source_only')!;
  assert.ok(
    auto.candidates.some((c) => c.meanLogLoss < source.meanLogLoss),
    'a candidate must beat source_only on the mean for this test to test the guard',
  );
  assert.equal(auto.chosen, 'source_only', JSON.stringify(auto.candidates));
  assert.ok(auto.candidates.every((c) => c.name === 'source_only' || !c.eligible));
  assert.equal(trained.model, (await ctx.pretrained()).model, 'source_only returns the source model itself');
  trained.model.net.dispose();
});

test('selectBy: auroc judges ranking only, so recalibration in the large (AUROC unchanged) cannot replace source_only', async () => {
  // The same intercept-only shift under which log-loss picks update_intercept (first test).
  const { data } = interceptShiftData(1.5, 40, 5);
  const ctx = wellTrainedContext(data, { candidates: ['source_only', 'update_intercept'], selectBy: 'auroc' });
  const trained = await getStrategy('auto').run(ctx);
  const auto = trained.report!.auto!;
  assert.equal(auto.selectedBy, 'auroc');
  const intercept = auto.candidates.find((c) => c.name === 'update_intercept')!;
  // A shared shift of every logit leaves every fold's AUROC as it was: the paired AUROC gain is exactly 0.
  assert.equal(intercept.gainOverSourceOnly, 0);
  assert.equal(auto.chosen, 'source_only', JSON.stringify(auto.candidates));
  assert.match(auto.guard ?? '', /AUROC gain/);
  (await ctx.pretrained()).model.net.dispose();
});

test('auto adds source_only when a candidate list lacks it, and skips unregistered default candidates with a note', async () => {
  const { data } = interceptShiftData(1.5, 24, 5);
  const ctx = wellTrainedContext(data, { candidates: ['update_intercept'], folds: 3 });
  const trained = await getStrategy('auto').run(ctx);
  assert.deepEqual(trained.report!.auto!.candidates.map((c) => c.name), ['source_only', 'update_intercept']);
  trained.model.net.dispose();
  const missing = DEFAULT_AUTO_CANDIDATES.filter((n) => !listStrategies().includes(n));
  const none = wellTrainedContext({ ...data, targetTrain: [], targetVal: [] });
  const fallback = await getStrategy('auto').run(none);
  assert.equal(fallback.report!.auto!.chosen, 'source_only');
  const notes = fallback.report!.notes!.join('\n');
  assert.match(notes, /fewer than 2 subjects of a class/);
  if (missing.length) assert.match(notes, new RegExp(`not registered in this build, skipped: ${missing.join(', ')}`));
  (await none.pretrained()).model.net.dispose();
  (await ctx.pretrained()).model.net.dispose();
});

test('an unknown candidate, or bad options of a candidate, fail at config load naming the method and the candidate', () => {
  const cfg = (options: unknown) => ({ methods: [{ name: 'chosen', strategy: 'auto', modalities: ['tabular'], options }] });
  assert.throws(() => parseExperiment(cfg({ candidates: ['source_only', 'no_such_thing'] })), /methods\.0\.options \(method 'chosen', strategy 'auto'\): candidates\.1: unknown strategy 'no_such_thing'; known: .*update_intercept/);
  assert.throws(() => parseExperiment(cfg({ candidates: [{ strategy: 'update_revision', options: { lamda: 2 } }] })), /candidates\.0\.options: candidate 'update_revision': unknown option 'lamda'/);
  assert.throws(() => parseExperiment(cfg({ candidates: ['auto'] })), /auto cannot be its own candidate/);
  const ok = parseExperiment(cfg({ candidates: ['source_only', { strategy: 'update_revision', name: 'revision_strong', options: { lambda: 10 } }] }));
  assert.equal(ok.methods[0].strategy, 'auto');
});
