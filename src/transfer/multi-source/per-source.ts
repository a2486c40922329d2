import { deriveSeed } from '../../util/random.js';
import { buildFusionModel, predictProba, type FusionModel } from '../../models/fusion.js';
import { ALL_LAYER_GROUPS } from '../../models/spec.js';
import { fitPreprocessor, type FittedPreprocessor } from '../../preprocess/preprocessor.js';
import { trainPhase, type PhaseHistory } from '../../train/loop.js';
import { specFor, preprocessSpecOf } from '../model-ops.js';
import { trainContextOf } from '../target-data.js';
import type { TransferContext, TransferData } from '../types.js';

/** One source site's own model, trained on its rows only with preprocessing shared by all sources. */
export interface SourceModel {
  readonly site: string;
  readonly nTrain: number;
  readonly model: FusionModel;
  readonly history: PhaseHistory;
}

/** Per-source models of one set of modalities, with the preprocessor fitted on all source rows. */
export interface PerSourceModels {
  readonly preprocessor: FittedPreprocessor;
  readonly sources: readonly SourceModel[];
}

// Both multi-source strategies need the same per-source models. They read source rows only, so they are
// cached by the source-training array: every label budget over the same source split shares them.
const cache = new WeakMap<readonly unknown[], Map<string, Promise<PerSourceModels>>>();

/** Trains (once per data, modalities and seed) one model per source site, in site order. */
export function perSourceModels(ctx: TransferContext): Promise<PerSourceModels> {
  let byKey = cache.get(ctx.data.sourceTrain);
  if (!byKey) cache.set(ctx.data.sourceTrain, (byKey = new Map()));
  const key = [[...ctx.modalities].sort().join('+'), ctx.seed, JSON.stringify(ctx.architecture), JSON.stringify(ctx.plan.pretrain)].join('|');
  let p = byKey.get(key);
  if (!p) {
    p = Promise.resolve().then(() => trainPerSource(ctx));
    byKey.set(key, p);
  }
  return p;
}

/** Disposes the cached per-source models of a source split (long benchmark loops call this between splits). */
export async function releasePerSourceModels(data: Pick<TransferData, 'sourceTrain'>): Promise<void> {
  const byKey = cache.get(data.sourceTrain);
  if (!byKey) return;
  cache.delete(data.sourceTrain);
  for (const p of byKey.values()) for (const s of (await p).sources) s.model.net.dispose();
}

function trainPerSource(ctx: TransferContext): PerSourceModels {
  const { sourceTrain, sourceVal } = ctx.data;
  if (sourceTrain.length === 0) throw new Error('multi-source: no source training samples');
  const preprocessor = fitPreprocessor(sourceTrain, preprocessSpecOf(ctx));
  const sites = [...new Set(sourceTrain.map((s) => s.siteId))].sort();
  const sources = sites.map((site) => {
    const rows = sourceTrain.filter((s) => s.siteId === site);
    const val = sourceVal.filter((s) => s.siteId === site);
    const model = buildFusionModel(specFor(ctx, preprocessor), deriveSeed(ctx.seed, 'per_source', 'init', site));
    const history = trainPhase(
      model,
      preprocessor.transform(rows),
      val.length ? preprocessor.transform(val) : null,
      { ...ctx.plan.pretrain, name: `source ${site}`, trainable: ALL_LAYER_GROUPS },
      { ...trainContextOf(ctx), label: `${ctx.label} · ${site}` },
    );
    return { site, nTrain: rows.length, model, history };
  });
  return { preprocessor, sources };
}

/** Predicted probabilities of a source model on samples preprocessed with the shared preprocessor. */
export function sourceScores(models: PerSourceModels, source: SourceModel, rows: Parameters<FittedPreprocessor['transform']>[0]): Float32Array {
  return predictProba(source.model, models.preprocessor.transform(rows));
}
