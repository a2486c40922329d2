import { z } from 'zod';
import { deriveSeed } from '../../util/random.js';
import { defineStrategy } from '../define.js';
import { NO_OPTIONS } from '../options.js';
import { requireLabels, unlabelledTargetSamples } from '../target-data.js';
import type { TrainedModel, TransferContext } from '../types.js';
import { emPrior, priorShiftLogit } from './label-shift.js';
import { penultimateFeatures, readLogitWeights, requireLogitLayer, withLogitWeights } from './logit-layer.js';
import { closedTest, interceptUpdate, logisticUpdate, noUpdate, revisionUpdate, sourceLogits, type FittedUpdate, type HeadData, type LogitWeights } from './updates.js';

/** Penalty λ‖(w, b) − (w_src, b_src)‖² of the revision, against the summed target log-likelihood. */
const LAMBDA = z.number().nonnegative().default(1);

/**
 * The labelled target budget (fitting and early-stopping rows together: these updates estimate at most
 * p + 1 parameters and have no early stopping) as the source model's logit layer sees it.
 */
async function labelledHead(ctx: TransferContext, strategy: string): Promise<{ pretrained: TrainedModel; head: HeadData }> {
  requireLabels(ctx, strategy);
  const pretrained = await ctx.pretrained();
  requireLogitLayer(pretrained.model, strategy);
  const fs = pretrained.preprocessor.transform([...ctx.data.targetTrain, ...ctx.data.targetVal]);
  const positives = fs.labels.reduce((s, v) => s + v, 0);
  if (positives === 0 || positives === fs.n) {
    throw new Error(`${strategy} needs both classes among the labelled target rows (targetTrain + targetVal has ${positives} positives of ${fs.n}); a one-class budget has no finite maximum-likelihood update`);
  }
  const { p, h } = penultimateFeatures(pretrained.model, fs);
  const { w, b } = readLogitWeights(pretrained.model);
  return { pretrained, head: { n: fs.n, p, h, y: Float64Array.from(fs.labels), w, b } };
}

function withWeights(ctx: TransferContext, strategy: string, pretrained: TrainedModel, weights: LogitWeights, notes: readonly string[]): TrainedModel {
  const model = withLogitWeights(pretrained.model, weights, deriveSeed(ctx.seed, strategy, 'clone'));
  return { model, preprocessor: pretrained.preprocessor, history: pretrained.history, report: { notes } };
}

function describe(u: FittedUpdate, source: FittedUpdate, n: number): string {
  const detail = Object.entries(u.detail).map(([k, v]) => `${k} = ${v.toFixed(4)}`);
  return `${u.kind} update${detail.length ? ` (${detail.join(', ')})` : ''}: target log-likelihood ${source.logLik.toFixed(3)} -> ${u.logLik.toFixed(3)} on ${n} labelled rows`;
}

async function runUpdate(ctx: TransferContext, strategy: string, fit: (head: HeadData) => FittedUpdate): Promise<TrainedModel> {
  const { pretrained, head } = await labelledHead(ctx, strategy);
  const u = fit(head);
  return withWeights(ctx, strategy, pretrained, u.weights, [describe(u, noUpdate(head), head.n)]);
}

/** Clinical updating: recalibration in the large, shifting the source model's logit by one ML-fitted intercept. */
export const updateIntercept = defineStrategy({
  name: 'update_intercept',
  description: 'pretrain on sources; re-estimate only the intercept on the target (recalibration in the large)',
  options: NO_OPTIONS,
  usesSource: true,
  usesPretrained: true,
  run: (ctx) => runUpdate(ctx, 'update_intercept', interceptUpdate),
});

/** Clinical updating: logistic recalibration, a + s·(source logit) fitted on the target. */
export const updateLogistic = defineStrategy({
  name: 'update_logistic',
  description: "pretrain on sources; re-estimate intercept and slope on the source model's logit (logistic recalibration)",
  options: NO_OPTIONS,
  usesSource: true,
  usesPretrained: true,
  run: (ctx) => runUpdate(ctx, 'update_logistic', logisticUpdate),
});

/** Clinical updating: model revision, the logit layer refitted on frozen encoders and shrunk toward the source head. */
export const updateRevision = defineStrategy({
  name: 'update_revision',
  description: 'pretrain on sources; refit the logit layer on frozen features, shrunk toward the source head',
  options: z.strictObject({ lambda: LAMBDA }),
  usesSource: true,
  usesPretrained: true,
  run: (ctx, opts) => runUpdate(ctx, 'update_revision', (head) => revisionUpdate(head, opts.lambda)),
});

/** Clinical updating: none, intercept, logistic or revision, chosen by Vergouwe et al.'s (2017) closed testing procedure. */
export const updateClosedTest = defineStrategy({
  name: 'update_closed_test',
  description: 'pretrain on sources; choose none/intercept/logistic/revision by closed likelihood-ratio testing (Vergouwe 2017)',
  options: z.strictObject({
    /** Significance level of each likelihood-ratio test. */
    alpha: z.number().gt(0).lt(1).default(0.05),
    lambda: LAMBDA,
  }),
  usesSource: true,
  usesPretrained: true,
  async run(ctx, opts) {
    const { pretrained, head } = await labelledHead(ctx, 'update_closed_test');
    const result = closedTest(head, opts);
    const tests = result.tests.map((t) => `revision vs ${t.against}: LR ${t.statistic.toFixed(3)}, df ${t.df}, p ${t.p.toPrecision(3)}`);
    const notes = [`closed test (alpha ${opts.alpha}) chose '${result.chosen.kind}'`, ...tests, describe(result.chosen, result.candidates.none, head.n)];
    return withWeights(ctx, 'update_closed_test', pretrained, result.chosen.weights, notes);
  },
});

/** Label-shift correction without target labels: Saerens et al.'s (2002) EM estimate of the target prevalence, applied as an intercept shift. */
export const labelShiftEm = defineStrategy({
  name: 'label_shift_em',
  description: 'pretrain on sources; estimate the target prevalence by EM on unlabelled target rows and shift the intercept (Saerens 2002)',
  options: z.strictObject({
    /**
     * The prior the source model's probabilities are calibrated to: 'balanced' (0.5, as pretraining uses
     * class-balanced loss weights), 'labels' (the source training prevalence) or a number in (0, 1).
     */
    sourcePrior: z.union([z.enum(['balanced', 'labels']), z.number().gt(0).lt(1)]).default('balanced'),
  }),
  usesSource: true,
  usesPretrained: true,
  async run(ctx, opts) {
    const pretrained = await ctx.pretrained();
    requireLogitLayer(pretrained.model, 'label_shift_em');
    // Every target training input, its label blanked: EM reads inputs only, so the labelled budget's inputs count too.
    const rows = unlabelledTargetSamples(ctx);
    if (rows.length === 0) throw new Error('label_shift_em needs target inputs (targetUnlabelled, targetTrain or targetVal); the target has none');
    const fs = pretrained.preprocessor.transform(rows);
    const { p, h } = penultimateFeatures(pretrained.model, fs);
    const weights = readLogitWeights(pretrained.model);
    const z = sourceLogits({ n: fs.n, p, h, y: new Float64Array(fs.n), ...weights });
    const posteriors = z.map((v) => 1 / (1 + Math.exp(-v)));
    const sourcePrior = opts.sourcePrior === 'balanced' ? 0.5 : opts.sourcePrior === 'labels' ? labelPrevalence(ctx) : opts.sourcePrior;
    const em = emPrior(posteriors, sourcePrior);
    const shift = priorShiftLogit(sourcePrior, em.prior);
    const notes = [
      `EM target prior ${em.prior.toFixed(4)} from ${fs.n} unlabelled target rows (source prior ${sourcePrior.toFixed(4)}, ${opts.sourcePrior}; ${em.iterations} iterations${em.converged ? '' : ', not converged'}); intercept shifted by ${shift.toFixed(4)}`,
    ];
    return withWeights(ctx, 'label_shift_em', pretrained, { w: weights.w, b: weights.b + shift }, notes);
  },
});

function labelPrevalence(ctx: TransferContext): number {
  const rows = ctx.data.sourceTrain;
  const pos = rows.filter((s) => s.label === 1).length;
  if (pos === 0 || pos === rows.length) throw new Error(`label_shift_em: sourcePrior 'labels' needs both classes in the source training rows (${pos} positives of ${rows.length})`);
  return pos / rows.length;
}
