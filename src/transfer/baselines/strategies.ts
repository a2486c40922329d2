import { z } from 'zod';
import { auroc } from '../../evaluate/metrics.js';
import type { Sample } from '../../data/types.js';
import { fitPreprocessor, type FittedPreprocessor } from '../../preprocess/preprocessor.js';
import { deriveSeed } from '../../util/random.js';
import { defineStrategy } from '../define.js';
import { preprocessSpecOf } from '../model-ops.js';
import { requireLabels } from '../target-data.js';
import type { TrainedModel, TransferContext } from '../types.js';
import { layerFeatures } from '../updating/logit-layer.js';
import { checkFeatures, featureParts, featureTable, labelsOf } from './features.js';
import { feasibleFolds, stratifiedFolds } from './folds.js';
import { tuneL2Logistic, tunedOutOfFold, type TunedLogistic } from './l2-logistic.js';
import { blendedModel, linearFusionModel, type BaselineFeatures } from './linear-model.js';

const OPTIONS = z.strictObject({
  /** What the regression reads: the record vector, the frozen source model's image embedding, or both. */
  features: z.enum(['record', 'image_embedding', 'both']).default('record'),
  /** Inner CV folds (fewer when the rarer class has fewer rows). */
  folds: z.number().int().min(2).default(5),
});

/** Blend weights α (on the source logit) tried by the ensemble's inner CV. */
export const ALPHA_GRID: readonly number[] = Array.from({ length: 11 }, (_, i) => i / 10);

/**
 * An L2 logistic regression fitted on `rows`, penalty by inner CV, as a TrainedModel. Record features get their
 * own preprocessing fitted on `rows` (tabular only, one-hot categoricals); image features read the frozen
 * source model through its preprocessing.
 */
async function logisticModel(ctx: TransferContext, strategy: string, rows: readonly Sample[], features: BaselineFeatures, folds: number): Promise<TrainedModel> {
  checkFeatures(strategy, features, ctx.modalities);
  const parts = featureParts(features);
  const source = parts.image ? await ctx.pretrained() : undefined;
  if (source) checkFeatures(strategy, features, ctx.modalities, source.preprocessor);
  const preprocessor: FittedPreprocessor = source?.preprocessor ?? fitPreprocessor(rows, { ...preprocessSpecOf(ctx), modalities: ['tabular'], categorical: 'onehot' });
  const fs = preprocessor.transform(rows);
  const table = featureTable(fs, parts, source?.model);
  const fit = tuneL2Logistic(table, labelsOf(rows), { k: folds, seed: deriveSeed(ctx.seed, strategy, 'inner cv') });
  const model = linearFusionModel({ ...(parts.record ? { tabularDim: fs.tabular!.dim } : {}), ...(source ? { imageFrom: source.model } : {}) }, fit, deriveSeed(ctx.seed, strategy, 'init'));
  return { model, preprocessor, history: [], report: { notes: [describeFit(features, rows.length, table.k, fit)] } };
}

function describeFit(features: BaselineFeatures, n: number, k: number, fit: TunedLogistic): string {
  return `L2 logistic regression on ${features} features (${k} columns, ${n} rows): ${fit.note}`;
}

/** Baseline: an L2 logistic regression fitted on the pooled source sites, penalty by inner CV, applied to the target unchanged. */
export const sourceOnlyLogistic = defineStrategy({
  name: 'source_only_logistic',
  description: 'L2 logistic regression fitted on the pooled source sites (penalty by inner CV), applied to the target unchanged',
  options: OPTIONS,
  usesSource: true,
  async run(ctx, opts) {
    const rows = [...ctx.data.sourceTrain, ...ctx.data.sourceVal];
    if (rows.length === 0) throw new Error('source_only_logistic: no source training samples');
    return logisticModel(ctx, 'source_only_logistic', rows, opts.features, opts.folds);
  },
});

/** Baseline: an L2 logistic regression fitted on the target label budget only, penalty by inner CV within it. */
export const targetOnlyLogistic = defineStrategy({
  name: 'target_only_logistic',
  description: 'L2 logistic regression fitted on the target label budget only (penalty by inner CV within the budget)',
  options: OPTIONS,
  usesSource: false,
  async run(ctx, opts) {
    requireLabels(ctx, 'target_only_logistic');
    return logisticModel(ctx, 'target_only_logistic', [...ctx.data.targetTrain, ...ctx.data.targetVal], opts.features, opts.folds);
  },
});

/** Which α of the grid gives the highest held-out AUROC of α·z_src + (1 − α)·z_tgt; ties go to the larger α (toward the source model). */
export function chooseBlendWeight(y: ArrayLike<number>, zSource: ArrayLike<number>, zTarget: ArrayLike<number>, grid: readonly number[] = ALPHA_GRID): { alpha: number; scores: number[] } {
  const scores = grid.map((a) => auroc(y, Array.from(zSource, (v, i) => a * v + (1 - a) * zTarget[i])));
  let best = 0;
  scores.forEach((s, g) => (s > scores[best] + 1e-12 || (Math.abs(s - scores[best]) <= 1e-12 && grid[g] > grid[best]) ? (best = g) : undefined));
  return { alpha: grid[best], scores };
}

/** The source model's logit blended with a target-only L2 logistic regression, the weight chosen by inner CV on the target budget. */
export const ensembleSourceTarget = defineStrategy({
  name: 'ensemble_source_target',
  description: "blend of the source model's logit and a target-only L2 logistic regression's, weight by inner CV on the target budget",
  options: OPTIONS,
  usesSource: true,
  usesPretrained: true,
  async run(ctx, opts) {
    const strategy = 'ensemble_source_target';
    requireLabels(ctx, strategy);
    checkFeatures(strategy, opts.features, ctx.modalities);
    const source = await ctx.pretrained();
    checkFeatures(strategy, opts.features, ctx.modalities, source.preprocessor);
    const rows = [...ctx.data.targetTrain, ...ctx.data.targetVal];
    const y = labelsOf(rows);
    const fs = source.preprocessor.transform(rows);
    const parts = featureParts(opts.features);
    const table = featureTable(fs, parts, source.model);
    const zSource = layerFeatures(source.model, fs, 'head_logit').h;
    const seed = deriveSeed(ctx.seed, strategy, 'inner cv');
    const k = feasibleFolds(y, opts.folds);
    const notes: string[] = [];
    let alpha = 1;
    if (k < 2) {
      notes.push(`too few labelled target rows for inner CV (${y.reduce((s, v) => s + v, 0)} positives of ${y.length}): weight 1 on the source model`);
    } else {
      const zTarget = tunedOutOfFold(table, y, stratifiedFolds(y, k, seed), k, { k: opts.folds, seed });
      const chosen = chooseBlendWeight(y, zSource, zTarget);
      alpha = chosen.alpha;
      notes.push(`source weight α = ${alpha} by ${k}-fold inner CV (held-out AUROC ${chosen.scores.map((s, g) => `${ALPHA_GRID[g]}: ${s.toFixed(3)}`).join(', ')})`);
    }
    // α = 1 is the source model: returning it unchanged lets the run record say "kept source model".
    if (alpha === 1) return { ...source, report: { notes: [...notes, 'α = 1: the source model is returned unchanged'] } };
    const fit = tuneL2Logistic(table, y, { k: opts.folds, seed: deriveSeed(ctx.seed, strategy, 'final fit') });
    notes.push(describeFit(opts.features, rows.length, table.k, fit));
    const model = blendedModel(source.model, parts, alpha, fit, deriveSeed(ctx.seed, strategy, 'clone'));
    return { model, preprocessor: source.preprocessor, history: source.history, report: { notes } };
  },
});
