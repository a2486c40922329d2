import { z } from 'zod';
import { buildFusionModel } from '../../models/fusion.js';
import { ALL_LAYER_GROUPS } from '../../models/spec.js';
import type { FeatureSet } from '../../preprocess/features.js';
import { fitPreprocessor } from '../../preprocess/preprocessor.js';
import { trainPhase, type PhaseHistory } from '../../train/loop.js';
import { cloneModel, specFor, preprocessSpecOf } from '../model-ops.js';
import { labelBlindStage } from '../stage-cache.js';
import { labelledTarget, trainContextOf, unlabelledTargetSamples } from '../target-data.js';
import type { TransferContext, TrainedModel } from '../types.js';
import { classifierDensityRatio } from './classifier-ratio.js';
import type { Rows } from './kernels.js';
import { kernelMeanMatching } from './kmm.js';
import { kliep } from './kliep.js';
import { clipAndNormalise, summariseWeights } from './normalise.js';
import { defineStrategy } from '../define.js';
import { REWEIGHTING_OPTIONS } from '../options.js';

/** The tabular block of a feature set as rows, or an error naming the strategy when there is none. */
function tabularRows(fs: FeatureSet, strategy: string): Rows {
  if (!fs.tabular) throw new Error(`${strategy}: instance re-weighting needs the tabular modality`);
  return { data: fs.tabular.data, dim: fs.tabular.dim, n: fs.n };
}

/**
 * Trains a fresh model on the source rows weighted by `weigh(source, target)` (clipped, mean 1), then
 * fine-tunes on the target label budget when there is one and `finetune` is set.
 */
async function runReweighted(ctx: TransferContext, name: string, clip: number, finetune: boolean, weigh: (s: Rows, t: Rows) => ArrayLike<number>): Promise<TrainedModel> {
  // The weights read only source rows and the label-blind target pool: every label budget shares the weighted model.
  const weighted = await labelBlindStage(ctx, `reweight:${name}`, () => {
    const { sourceTrain, sourceVal } = ctx.data;
    const pre = fitPreprocessor(sourceTrain, preprocessSpecOf(ctx));
    const source = pre.transform(sourceTrain);
    const target = pre.transform(unlabelledTargetSamples(ctx));
    if (target.n === 0) throw new Error(`${name}: no target rows to estimate importance weights from`);
    const weights = clipAndNormalise(weigh(tabularRows(source, name), tabularRows(target, name)), clip);
    const model = buildFusionModel(specFor(ctx, pre), ctx.seed);
    const phase = trainPhase(model, source, sourceVal.length ? pre.transform(sourceVal) : null, { ...ctx.plan.pretrain, name: `${name} weighted source training`, trainable: ALL_LAYER_GROUPS }, trainContextOf(ctx), {
      sampleWeights: weights,
    });
    return { model, preprocessor: pre, history: [phase], report: { importanceWeights: summariseWeights(weights) } };
  });
  const pre = weighted.preprocessor;
  const model = cloneModel(weighted.model, ctx.seed);
  const history: PhaseHistory[] = [...weighted.history];
  if (finetune && ctx.data.targetTrain.length > 0) {
    const { train, val } = labelledTarget(ctx, pre);
    history.push(trainPhase(model, train, val, { ...ctx.plan.finetune, name: 'fine-tune all layers', trainable: ALL_LAYER_GROUPS }, trainContextOf(ctx)));
  }
  return { model, preprocessor: pre, history, report: weighted.report };
}

/** Instance re-weighting by a domain classifier's density ratio p(target|x)/p(source|x). */
export const reweightClassifier = defineStrategy({
  name: 'reweight_classifier',
  description: 'weight source rows by a domain classifier density ratio, train on them, fine-tune on target labels',
  options: z.strictObject({
    ...REWEIGHTING_OPTIONS,
    /** L2 penalty of the logistic domain classifier. */
    l2: z.number().nonnegative().default(1e-2),
  }),
  usesSource: true,
  async run(ctx, o) {
    return runReweighted(ctx, 'reweight_classifier', o.clip, o.finetune, (s, t) => classifierDensityRatio(s, t, { l2: o.l2 }));
  },
});

/** Instance re-weighting by kernel mean matching. */
export const reweightKmm = defineStrategy({
  name: 'reweight_kmm',
  description: 'weight source rows by kernel mean matching to the target, train on them, fine-tune on target labels',
  options: z.strictObject({
    ...REWEIGHTING_OPTIONS,
    /** Allowed relative deviation of the mean weight from 1 (KMM's ε). */
    epsilon: z.number().nonnegative().default(0.1),
    iterations: z.number().int().positive().default(500),
  }),
  usesSource: true,
  async run(ctx, o) {
    return runReweighted(ctx, 'reweight_kmm', o.clip, o.finetune, (s, t) => kernelMeanMatching(s, t, { bound: o.clip, epsilon: o.epsilon, iterations: o.iterations }));
  },
});

/** Instance re-weighting by KLIEP density-ratio estimation. */
export const reweightKliep = defineStrategy({
  name: 'reweight_kliep',
  description: 'weight source rows by KLIEP density ratios, train on them, fine-tune on target labels',
  options: z.strictObject({
    ...REWEIGHTING_OPTIONS,
    /** Number of target samples used as kernel centres. */
    centres: z.number().int().positive().default(100),
    iterations: z.number().int().positive().default(500),
  }),
  usesSource: true,
  async run(ctx, o) {
    return runReweighted(ctx, 'reweight_kliep', o.clip, o.finetune, (s, t) => kliep(s, t, { centres: o.centres, iterations: o.iterations }));
  },
});
