import { subjectKey } from '../data/splits.js';
import type { TransferContext, TransferData, TrainedModel } from './types.js';

// Stages that read only source rows and the target's (label-blind) training pool, such as domain
// adaptation or importance-weighted source training, give the same model at every label budget.
// They are cached by the source-training array, then by strategy, options, architecture, categorical encoding, plan, modalities,
// seed and pool.
const cache = new WeakMap<readonly unknown[], Map<string, Promise<TrainedModel>>>();

/**
 * The model of a label-blind stage, built once per source split, strategy settings and target pool.
 * The caller must clone it before training it further; the cache owns it.
 */
export function labelBlindStage(ctx: TransferContext, stage: string, build: () => TrainedModel | Promise<TrainedModel>): Promise<TrainedModel> {
  let byKey = cache.get(ctx.data.sourceTrain);
  if (!byKey) cache.set(ctx.data.sourceTrain, (byKey = new Map()));
  const { targetUnlabelled, targetTrain, targetVal } = ctx.data;
  const pool = [...targetUnlabelled, ...targetTrain, ...targetVal].map(subjectKey).sort().join(',');
  const key = [stage, JSON.stringify(ctx.options ?? {}), JSON.stringify(ctx.architecture), ctx.categorical ?? 'onehot', ctx.imageEmbeddings?.backbone.sha256 ?? 'pixels', JSON.stringify(ctx.plan), [...ctx.modalities].sort().join('+'), ctx.seed, pool].join('|');
  let p = byKey.get(key);
  if (!p) byKey.set(key, (p = Promise.resolve().then(build)));
  return p;
}

/** Disposes the cached stage models of a source split (long benchmark loops call this between splits). */
export async function releaseLabelBlindStages(data: Pick<TransferData, 'sourceTrain'>): Promise<void> {
  const byKey = cache.get(data.sourceTrain);
  if (!byKey) return;
  cache.delete(data.sourceTrain);
  for (const p of byKey.values()) (await p).model.net.dispose();
}
