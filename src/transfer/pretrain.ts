import type { Sample } from '../data/types.js';
import { buildFusionModel } from '../models/fusion.js';
import { fitPreprocessor } from '../preprocess/preprocessor.js';
import { trainPhase } from '../train/loop.js';
import { specFor, preprocessSpecOf } from './model-ops.js';
import { unlabelledTargetSamples } from './target-data.js';
import { neutraliseUnlabelledCategories } from './target-vocabulary.js';
import type { TrainedModel, TransferContext } from './types.js';
import { ALL_LAYER_GROUPS } from '../models/spec.js';

/**
 * Fits preprocessing on source training data and trains a fresh model on the pooled source sites. The
 * record vocabulary also takes the categories of every target training subject (records only, labels
 * blanked), so a category only the target uses keeps its own column, at zero weight until fine-tuning.
 */
export function pretrainOnSources(ctx: TransferContext): TrainedModel {
  return pretrainWithVocabulary(ctx, unlabelledTargetSamples(ctx));
}

/** Source pretraining whose record vocabulary also covers `vocabularyRows` (pass [] for a source-only vocabulary). */
export function pretrainWithVocabulary(ctx: TransferContext, vocabularyRows: readonly Sample[]): TrainedModel {
  const { sourceTrain, sourceVal } = ctx.data;
  if (sourceTrain.length === 0) throw new Error('source pretraining: no source training samples');
  const preprocessor = fitPreprocessor(sourceTrain, { ...preprocessSpecOf(ctx), vocabularyRows });
  const model = buildFusionModel(specFor(ctx, preprocessor), ctx.seed);
  const history = trainPhase(
    model,
    preprocessor.transform(sourceTrain),
    sourceVal.length ? preprocessor.transform(sourceVal) : null,
    { name: 'source pretraining', trainable: ALL_LAYER_GROUPS, ...ctx.plan.pretrain },
    { seed: ctx.seed, balanceClasses: true, progress: ctx.progress, label: `pretrain [${ctx.modalities.join('+')}]` },
  );
  neutraliseUnlabelledCategories(model, preprocessor);
  return { model, preprocessor, history: [history] };
}
