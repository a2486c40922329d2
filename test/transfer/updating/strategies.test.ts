import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadModelBundle, saveModelBundle } from '../../../src/models/artifact.js';
import { predictProba } from '../../../src/models/fusion.js';
import { DEFAULT_MODEL_SPEC } from '../../../src/models/spec.js';
import { pretrainOnSources } from '../../../src/transfer/pretrain.js';
import { getStrategy } from '../../../src/transfer/registry.js';
import type { TransferContext } from '../../../src/transfer/types.js';
import { priorShiftLogit } from '../../../src/transfer/updating/label-shift.js';
import { useCpuBackend } from '../../helpers/cpu-backend.js';
import { toyContext, toyTransferData } from '../context.js';

before(async () => {
  await useCpuBackend();
});

const data = toyTransferData();
const ctx = toyContext(data);
after(async () => (await ctx.pretrained()).model.net.dispose());

const logit = (p: number): number => Math.log(p / (1 - p));
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** Source-model and updated-model probabilities on the same rows. */
async function scores(name: string, rows = [...data.targetTrain, ...data.targetVal]) {
  const pretrained = await ctx.pretrained();
  const trained = await getStrategy(name).run(ctx);
  const fs = pretrained.preprocessor.transform(rows);
  return { trained, fs, before: predictProba(pretrained.model, fs), after: predictProba(trained.model, fs) };
}

test('update_intercept shifts every logit by the ML intercept (observed events = expected) and leaves the source model alone', async () => {
  const pretrained = await ctx.pretrained();
  const weightsBefore = pretrained.model.net.getWeights().map((w) => Array.from(w.dataSync()));
  const { trained, fs, before, after } = await scores('update_intercept');
  const shifts = Array.from(after, (p, i) => logit(p) - logit(before[i]));
  // float32 probabilities give logits to about 1e-5 here; 1e-3 leaves room for rows near 0 or 1.
  shifts.forEach((s) => assert.ok(Math.abs(s - shifts[0]) < 1e-3, `shift ${s} vs ${shifts[0]}`));
  const events = fs.labels.reduce((s, v) => s + v, 0);
  const expected = after.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(expected - events) < 1e-3, `${expected} expected vs ${events} observed`);
  assert.match(trained.report!.notes![0], /^intercept update \(a = -?\d/);
  pretrained.model.net.getWeights().forEach((w, i) => assert.deepEqual(Array.from(w.dataSync()), weightsBefore[i]));
  trained.model.net.dispose();
});

test('update_logistic makes the new logit a + s·(source logit)', async () => {
  const { trained, before, after } = await scores('update_logistic');
  const [z0, z1] = [logit(before[0]), logit(before[1])];
  const s = (logit(after[1]) - logit(after[0])) / (z1 - z0);
  const a = logit(after[0]) - s * z0;
  before.forEach((p, i) => assert.ok(Math.abs(logit(after[i]) - (a + s * logit(p))) < 1e-3, `row ${i}`));
  trained.model.net.dispose();
});

test('update_closed_test reports its choice and tests; the saved bundle predicts the updated scores', async () => {
  const { trained, fs, after } = await scores('update_closed_test');
  const notes = trained.report!.notes!;
  assert.match(notes[0], /^closed test \(alpha 0\.05\) chose '(none|intercept|logistic|revision)'$/);
  assert.match(notes[1], /^revision vs none: LR \d+\.\d{3}, df 17, p /);
  const dir = await mkdtemp(join(tmpdir(), 'medtl-update-'));
  try {
    await saveModelBundle(dir, trained);
    const loaded = await loadModelBundle(dir);
    assert.deepEqual(predictProba(loaded.model, fs), after);
    loaded.model.net.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  trained.model.net.dispose();
});

test('update_revision changes the logit layer only and is bounded by its penalty', async () => {
  const pretrained = await ctx.pretrained();
  const trained = await getStrategy('update_revision').run({ ...ctx, options: { lambda: 1e9 } });
  const fs = pretrained.preprocessor.transform(data.targetVal);
  const a = predictProba(trained.model, fs);
  const b = predictProba(pretrained.model, fs);
  // λ = 1e9 pins the head to the source's to about 1e-8 per weight.
  a.forEach((p, i) => assert.ok(Math.abs(p - b[i]) < 1e-5));
  trained.model.net.dispose();
  await assert.rejects(getStrategy('update_revision').run({ ...ctx, options: { lambda: -1 } }), /options of strategy 'update_revision': lambda/);
});

test('at budget 0 the label-needing updates say so by name; label_shift_em runs and shifts by the EM prior', async () => {
  const zero = { ...data, targetUnlabelled: [...data.targetUnlabelled, ...data.targetTrain, ...data.targetVal], targetTrain: [], targetVal: [] };
  const zctx = { ...ctx, data: zero };
  for (const name of ['update_intercept', 'update_logistic', 'update_revision', 'update_closed_test']) {
    await assert.rejects(getStrategy(name).run(zctx), new RegExp(`${name} needs a target label budget above zero`));
  }
  const pretrained = await ctx.pretrained();
  const trained = await getStrategy('label_shift_em').run(zctx);
  const note = trained.report!.notes![0];
  const prior = Number(/EM target prior (\d\.\d+)/.exec(note)![1]);
  const fs = pretrained.preprocessor.transform(zero.targetUnlabelled);
  const before = predictProba(pretrained.model, fs);
  const after = predictProba(trained.model, fs);
  // The prior is printed to 4 decimals, so the shift is known to about 5e-4 in log-odds.
  const shift = priorShiftLogit(0.5, prior);
  before.forEach((p, i) => assert.ok(Math.abs(after[i] - sigmoid(logit(p) + shift)) < 1e-3, `row ${i}`));
  // EM's fixed point: the mean adjusted posterior equals the estimated prior.
  const mean = after.reduce((s, v) => s + v, 0) / after.length;
  assert.ok(Math.abs(mean - prior) < 1e-3, `${mean} vs ${prior}`);
  trained.model.net.dispose();
});

test('a one-class label budget and late fusion are refused with the strategy named', async () => {
  const oneClass = { ...data, targetTrain: data.targetTrain.map((s) => ({ ...s, label: 1 as const })), targetVal: data.targetVal.map((s) => ({ ...s, label: 1 as const })) };
  await assert.rejects(getStrategy('update_logistic').run({ ...ctx, data: oneClass }), /update_logistic needs both classes among the labelled target rows/);
  const base = toyContext(data);
  let latePretrained: ReturnType<TransferContext['pretrained']> | undefined;
  const late: TransferContext = { ...base, architecture: { ...DEFAULT_MODEL_SPEC, fusion: 'late' }, pretrained: () => (latePretrained ??= Promise.resolve().then(() => pretrainOnSources(late))) };
  await assert.rejects(getStrategy('update_closed_test').run(late), /update_closed_test .*fusion 'late'/);
  await assert.rejects(getStrategy('label_shift_em').run(late), /label_shift_em .*fusion 'late'/);
  (await late.pretrained()).model.net.dispose();
});
