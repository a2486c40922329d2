import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { parseExperiment } from '../../../src/config/experiment.js';
import { getStrategy, listStrategies } from '../../../src/transfer/registry.js';
import { summarise } from '../../../src/transfer/auto/inner-cv.js';
import { DEFAULT_AUTO_CANDIDATES, guard } from '../../../src/transfer/auto/strategy.js';
import { useCpuBackend } from '../../helpers/cpu-backend.js';
import { interceptShiftData, wellTrainedContext } from './cohort.js';

before(async () => {
  await useCpuBackend();
});

test('auto picks recalibration in the large over full fine-tuning for an intercept-only shift, and records every candidate', async () => {
  const { data } = interceptShiftData(1.5, 40, 5);
  const candidates = ['source_only', 'update_intercept', 'full_finetune'];
  // The shifted target has few negatives in 40 labels; minPerClass 2 lets auto cross-validate them (the guard's own test is below).
  const ctx = wellTrainedContext(data, { candidates, minPerClass: 2 });
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
  const ctx = wellTrainedContext(data, { candidates: ['source_only', 'update_intercept'], selectBy: 'auroc', minPerClass: 2 });
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
  const ctx = wellTrainedContext(data, { candidates: ['update_intercept'], folds: 3, minPerClass: 2 });
  const trained = await getStrategy('auto').run(ctx);
  assert.deepEqual(trained.report!.auto!.candidates.map((c) => c.name), ['source_only', 'update_intercept']);
  trained.model.net.dispose();
  const missing = DEFAULT_AUTO_CANDIDATES.filter((n) => !listStrategies().includes(n));
  const none = wellTrainedContext({ ...data, targetTrain: [], targetVal: [] });
  const fallback = await getStrategy('auto').run(none);
  assert.equal(fallback.report!.auto!.chosen, 'source_only');
  const notes = fallback.report!.notes!.join('\n');
  assert.match(notes, /has 0 subjects of its smaller class, fewer than 5, so auto kept source_only without cross-validating/);
  if (missing.length) assert.match(notes, new RegExp(`not registered in this build, skipped: ${missing.join(', ')}`));
  (await none.pretrained()).model.net.dispose();
  (await ctx.pretrained()).model.net.dispose();
});

test('an unknown candidate, or bad options of a candidate, fail at config load naming the method and the candidate', () => {
  const cfg = (options: unknown) => ({ methods: [{ name: 'chosen', strategy: 'auto', modalities: ['tabular'], options }] });
  assert.throws(() => parseExperiment(cfg({ candidates: ['source_only', 'no_such_thing'] })), /methods\.0\.options \(method 'chosen', strategy 'auto'\): candidates\.1: unknown strategy 'no_such_thing'; known: .*update_intercept/);
  assert.throws(() => parseExperiment(cfg({ candidates: [{ strategy: 'update_revision', options: { lamda: 2 } }] })), /candidates\.0\.options: candidate 'update_revision': unknown option 'lamda'/);
  assert.throws(() => parseExperiment(cfg({ candidates: ['auto'] })), /auto cannot be its own candidate/);
  assert.throws(() => parseExperiment(cfg({ selectBy: 'accuracy' })), /methods\.0\.options \(method 'chosen', strategy 'auto'\): selectBy: Invalid option: expected one of "log_loss"\|"auroc"/);
  assert.throws(() => parseExperiment(cfg({ minPerClass: 1 })), /methods\.0\.options \(method 'chosen', strategy 'auto'\): minPerClass: Too small: expected number to be >=2/);
  const ok = parseExperiment(cfg({ candidates: ['source_only', { strategy: 'update_revision', name: 'revision_strong', options: { lambda: 10 } }] }));
  assert.equal(ok.methods[0].strategy, 'auto');
});

test('the guard: a log-loss gain beyond one SE is not enough when the paired AUROC gain is negative; an unchanged AUROC is', () => {
  const score = (folds: [logLoss: number, auroc: number][]) => summarise(folds.map(([logLoss, auroc], i) => ({ fold: `f${i}`, logLoss, auroc })));
  const source = score([[0.6, 0.8], [0.7, 0.75], [0.65, 0.7]]);
  // Better calibrated on every fold (gain 0.2 ± 0), but ranking worse on every fold.
  const calibratedWorseRanking = score([[0.4, 0.7], [0.5, 0.7], [0.45, 0.6]]);
  const held = guard(source, calibratedWorseRanking, 'log_loss');
  assert.ok(held.gainOverSourceOnly! > held.gainSe!, 'the log-loss gain alone would pass');
  assert.ok(held.aurocGainOverSourceOnly! < 0);
  assert.equal(held.eligible, false);
  // Recalibration: the same AUROC on every fold, lower log-loss: allowed.
  const recalibrated = score([[0.4, 0.8], [0.5, 0.75], [0.45, 0.7]]);
  assert.equal(guard(source, recalibrated, 'log_loss').eligible, true);
});

test('with fewer than minPerClass (default 5) labelled subjects of a class, auto keeps source_only without cross-validating', async () => {
  const { data } = interceptShiftData(1.5, 40, 5);
  const budget = [...data.targetTrain, ...data.targetVal];
  const pos = budget.filter((s) => s.label === 1).length;
  const fewest = Math.min(pos, budget.length - pos);
  assert.ok(fewest >= 2 && fewest < 5, `the test needs 2-4 subjects in the smaller class, has ${fewest}`);
  // The first test shows the same budget with minPerClass 2 choosing update_intercept.
  const ctx = wellTrainedContext(data, { candidates: ['source_only', 'update_intercept', 'full_finetune'] });
  const trained = await getStrategy('auto').run(ctx);
  assert.equal(trained.report!.auto!.chosen, 'source_only');
  assert.equal(trained.report!.auto!.folds, 0);
  assert.match(trained.report!.notes!.join('\n'), new RegExp(`has ${fewest} subjects of its smaller class, fewer than 5`));
  (await ctx.pretrained()).model.net.dispose();
});
