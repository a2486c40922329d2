import { predictProba } from '../../models/fusion.js';
import { ALL_LAYER_GROUPS } from '../../models/spec.js';
import { auroc, logLoss } from '../../evaluate/metrics.js';
import { trainPhase } from '../../train/loop.js';
import { embeddingOf } from '../../models/embedding.js';
import { cloneModel } from '../model-ops.js';
import { labelledTarget, trainContextOf } from '../target-data.js';
import { targetOnly } from '../target-only.js';
import type { SourceAssessment, TransferContext, TransferReport } from '../types.js';
import { logme } from './logme.js';
import type { PerSourceModels } from './per-source.js';

/** AUROC, or null when the labels hold one class only. */
function safeAuroc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i];
  return pos === 0 || pos === labels.length ? null : auroc(labels, scores);
}

/** LogME of each source model's fused embeddings for the target's labelled rows (train and validation), in source order. */
export function logmeScores(ctx: TransferContext, models: PerSourceModels): number[] {
  const labelled = models.preprocessor.transform([...ctx.data.targetTrain, ...ctx.data.targetVal]);
  return models.sources.map((s) => {
    const e = embeddingOf(s.model, labelled);
    return logme(e.data, labelled.n, e.dim, labelled.labels);
  });
}

/** Log-loss of each source model, applied unchanged, on the target's labelled rows, in source order. */
export function targetLossBySource(ctx: TransferContext, models: PerSourceModels): number[] {
  const labelled = models.preprocessor.transform([...ctx.data.targetTrain, ...ctx.data.targetVal]);
  return models.sources.map((s) => logLoss(labelled.labels, predictProba(s.model, labelled)));
}

/**
 * Negative-transfer check: each source's model fine-tuned on the target budget against a target-only
 * model on the same budget, both scored on target validation. A source whose model has the higher
 * validation log-loss made the target worse. Needs labelled target validation rows.
 */
export async function negativeTransfer(ctx: TransferContext, models: PerSourceModels): Promise<Pick<TransferReport, 'targetOnlyValLoss' | 'negativeTransfer' | 'notes'> & { perSource: Pick<SourceAssessment, 'targetValAuroc' | 'targetValLoss'>[] }> {
  if (ctx.data.targetTrain.length === 0 || ctx.data.targetVal.length === 0) {
    return { perSource: [], notes: ['negative transfer not assessed: it needs labelled target training and validation rows'] };
  }
  const base = await targetOnly.run(ctx);
  const baseVal = base.preprocessor.transform(ctx.data.targetVal);
  const targetOnlyValLoss = logLoss(baseVal.labels, predictProba(base.model, baseVal));
  base.model.net.dispose();
  const { train, val } = labelledTarget(ctx, models.preprocessor);
  const perSource = models.sources.map((s) => {
    const m = cloneModel(s.model, ctx.seed);
    trainPhase(m, train, val, { ...ctx.plan.finetune, name: `fine-tune ${s.site} model`, trainable: ALL_LAYER_GROUPS }, trainContextOf(ctx));
    const p = predictProba(m, val!);
    m.net.dispose();
    return { targetValLoss: logLoss(val!.labels, p), targetValAuroc: safeAuroc(val!.labels, p) };
  });
  return {
    perSource,
    targetOnlyValLoss,
    negativeTransfer: models.sources.filter((_, i) => perSource[i].targetValLoss! > targetOnlyValLoss).map((s) => s.site),
  };
}
