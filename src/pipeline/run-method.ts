import type { ExperimentConfig } from '../config/experiment.js';
import type { Modality, Sample } from '../data/types.js';
import { evaluateBinary } from '../evaluate/evaluation.js';
import { fitOnValidation } from '../evaluate/operating-points.js';
import { predictProba } from '../models/fusion.js';
import { sameWeights } from '../models/same-weights.js';
import { fitStackingOnValidation } from '../models/stacking.js';
import type { MethodPredictions, MethodResult } from '../record/types.js';
import { getStrategy } from '../transfer/registry.js';
import type { TrainedModel, TransferContext } from '../transfer/types.js';
import type { FoldPlan } from './folds.js';

/** One configured method of an experiment file. */
export type MethodConfig = ExperimentConfig['methods'][number];

/** What one method produced on one fold at one label budget: its result row, its scores and its model. */
export interface MethodRun {
  readonly result: MethodResult;
  /** Scores on the fold's target test set. */
  readonly target: MethodPredictions;
  /** Scores on the fold's source test set. */
  readonly source: MethodPredictions;
  readonly trained: TrainedModel;
}

/**
 * Runs one method on one fold with the transfer data of one label budget (`ctx.data`): the
 * strategy, then stacking, Youden's threshold and a temperature fitted on the budget's validation
 * subjects, then the fold's target test set (AUROC with a bootstrap CI on the fold's bootstrap seed)
 * and source test set scored. The main run and every label-budget point go through here.
 */
export async function runMethod(cfg: ExperimentConfig, fold: FoldPlan, method: MethodConfig, ctx: TransferContext): Promise<MethodRun> {
  const started = performance.now();
  const strategy = getStrategy(method.strategy);
  const trained = await strategy.run(ctx);
  // Compared before stacking, which fits combination weights outside the network; null where the strategy does not start from the source model.
  const keptSourceModel = strategy.usesPretrained ? sameWeights(trained.model, (await ctx.pretrained()).model) : null;
  const data = ctx.data;
  // Late fusion with stacking fits its combination on held-out labels, like the threshold and temperature below.
  fitStackingOnValidation(trained.model, trained.preprocessor, data.targetVal.length ? data.targetVal : data.sourceVal);
  const test = trained.preprocessor.transform(fold.parts.targetTest);
  const scores = predictProba(trained.model, test);
  const val = trained.preprocessor.transform(data.targetVal);
  const validation = fitOnValidation(val.labels, predictProba(trained.model, val), test.labels, scores);
  const sourceTest = trained.preprocessor.transform(fold.parts.sourceTest);
  const evaluation = evaluateBinary(test.labels, scores, {
    threshold: cfg.evaluation.threshold,
    bootstrapResamples: cfg.evaluation.bootstrapResamples,
    seed: fold.draws.bootstrap,
  });
  return {
    result: {
      method: method.name,
      strategy: method.strategy,
      modalities: method.modalities,
      evaluation,
      history: trained.history,
      validation,
      missingModalities: countMissingModalities(fold.parts.targetTest, method.modalities),
      keptSourceModel,
      ...(trained.report ? { transferReport: trained.report } : {}),
      seconds: (performance.now() - started) / 1000,
    },
    target: { fold: fold.id, method: method.name, keys: test.keys, labels: test.labels, scores },
    source: { fold: fold.id, method: method.name, keys: sourceTest.keys, labels: sourceTest.labels, scores: predictProba(trained.model, sourceTest) },
    trained,
  };
}

/** How many samples lack each of the given modalities. */
export function countMissingModalities(samples: readonly Sample[], modalities: readonly Modality[]): Partial<Record<Modality, number>> {
  const has: Record<Modality, (s: Sample) => boolean> = { image: (s) => s.image !== undefined, tabular: (s) => s.tabular !== undefined, text: (s) => s.text !== undefined && s.text !== '' };
  return Object.fromEntries(modalities.map((m) => [m, samples.filter((s) => !has[m](s)).length]));
}
