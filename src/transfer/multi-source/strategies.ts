import { z } from 'zod';
import { buildFusionModel } from '../../models/fusion.js';
import { ALL_LAYER_GROUPS } from '../../models/spec.js';
import { trainPhase, type PhaseHistory } from '../../train/loop.js';
import { specFor } from '../model-ops.js';
import { labelledTarget, trainContextOf } from '../target-data.js';
import type { SourceAssessment, TrainedModel, TransferContext } from '../types.js';
import { logmeScores, negativeTransfer, targetLossBySource } from './assess.js';
import { perSourceModels, type PerSourceModels } from './per-source.js';
import { defineStrategy } from '../define.js';
import { MULTI_SOURCE_OPTIONS } from '../options.js';

/**
 * Trains one fresh model on the chosen source rows with per-site loss weights (each site's rows share its
 * weight, mean 1 over rows), then fine-tunes on the target budget when there is one and `finetune` is set.
 */
async function trainOnSources(ctx: TransferContext, models: PerSourceModels, siteWeight: ReadonlyMap<string, number>, name: string, finetune: boolean): Promise<Omit<TrainedModel, 'report'>> {
  const rows = ctx.data.sourceTrain.filter((s) => (siteWeight.get(s.siteId) ?? 0) > 0);
  const val = ctx.data.sourceVal.filter((s) => (siteWeight.get(s.siteId) ?? 0) > 0);
  const pre = models.preprocessor;
  const train = pre.transform(rows);
  const raw = rows.map((s) => siteWeight.get(s.siteId)!);
  const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
  const model = buildFusionModel(specFor(ctx, pre), ctx.seed);
  const history: PhaseHistory[] = [
    trainPhase(model, train, val.length ? pre.transform(val) : null, { ...ctx.plan.pretrain, name, trainable: ALL_LAYER_GROUPS }, trainContextOf(ctx), {
      sampleWeights: Float32Array.from(raw, (w) => w / mean),
    }),
  ];
  if (finetune && ctx.data.targetTrain.length > 0) {
    const { train: tt, val: tv } = labelledTarget(ctx, pre);
    history.push(trainPhase(model, tt, tv, { ...ctx.plan.finetune, name: 'fine-tune all layers', trainable: ALL_LAYER_GROUPS }, trainContextOf(ctx)));
  }
  return { model, preprocessor: pre, history };
}

/** Multi-source: per-source models scored on the target's labelled rows; sources weighted by a softmax of their negative log-loss. */
export const multiSourceWeighted = defineStrategy({
  name: 'multi_source_weighted',
  description: 'train per-source models, weight sources by their target-validation loss, train on the weighted sources, fine-tune',
  options: z.strictObject({
    ...MULTI_SOURCE_OPTIONS,
    /** Temperature of the softmax over negative target-validation log-losses that gives source weights. */
    temperature: z.number().positive().default(0.05),
  }),
  usesSource: true,
  async run(ctx, o) {
    const models = await perSourceModels(ctx);
    const notes: string[] = [];
    let weights: number[];
    let losses: number[] | undefined;
    if (ctx.data.targetTrain.length + ctx.data.targetVal.length > 0) {
      losses = targetLossBySource(ctx, models);
      const best = Math.min(...losses);
      const e = losses.map((l) => Math.exp(-(l - best) / o.temperature));
      const z = e.reduce((a, b) => a + b, 0);
      weights = e.map((x) => x / z);
    } else {
      notes.push('no target labels: sources weighted equally');
      weights = models.sources.map(() => 1 / models.sources.length);
    }
    // Site weight per row = w_s / n_s, so each site's rows together carry its share w_s of the loss.
    const siteWeight = new Map(models.sources.map((s, i) => [s.site, weights[i] / s.nTrain]));
    const trained = await trainOnSources(ctx, models, siteWeight, 'weighted multi-source training', o.finetune);
    const neg = await negativeTransfer(ctx, models);
    const sources: SourceAssessment[] = models.sources.map((s, i) => ({ site: s.site, nTrain: s.nTrain, weight: weights[i], targetValLoss: losses?.[i], ...neg.perSource[i] }));
    return { ...trained, report: { sources, targetOnlyValLoss: neg.targetOnlyValLoss, negativeTransfer: neg.negativeTransfer, notes: [...notes, ...(neg.notes ?? [])] } };
  },
});

/** Multi-source: pick the sources whose models' embeddings best explain the target labels (LogME), train on those. */
export const sourceSelectionLogme = defineStrategy({
  name: 'source_selection_logme',
  description: 'score each source by LogME on the target labels before training, keep the best, train on them, fine-tune',
  options: z.strictObject({
    ...MULTI_SOURCE_OPTIONS,
    /** Keep this many sources with the highest LogME; default: half of them, rounded up. */
    topK: z.number().int().positive().optional(),
  }),
  usesSource: true,
  async run(ctx, o) {
    const models = await perSourceModels(ctx);
    const k = Math.min(o.topK ?? Math.ceil(models.sources.length / 2), models.sources.length);
    const notes: string[] = [];
    let scores: number[] | undefined;
    let selected: Set<string>;
    if (ctx.data.targetTrain.length + ctx.data.targetVal.length > 0) {
      scores = logmeScores(ctx, models);
      const order = models.sources.map((s, i) => ({ site: s.site, score: scores![i] })).sort((a, b) => b.score - a.score);
      selected = new Set(order.slice(0, k).map((x) => x.site));
    } else {
      notes.push('no target labels: LogME cannot be computed, every source kept');
      selected = new Set(models.sources.map((s) => s.site));
    }
    const siteWeight = new Map(models.sources.filter((s) => selected.has(s.site)).map((s) => [s.site, 1]));
    const trained = await trainOnSources(ctx, models, siteWeight, `training on selected sources (${[...selected].join(', ')})`, o.finetune);
    const neg = await negativeTransfer(ctx, models);
    const sources: SourceAssessment[] = models.sources.map((s, i) => ({ site: s.site, nTrain: s.nTrain, logme: scores?.[i], selected: selected.has(s.site), ...neg.perSource[i] }));
    return { ...trained, report: { sources, targetOnlyValLoss: neg.targetOnlyValLoss, negativeTransfer: neg.negativeTransfer, notes: [...notes, ...(neg.notes ?? [])] } };
  },
});
