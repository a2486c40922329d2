import { buildFusionModel } from '../models/fusion.js';
import { fitPreprocessor } from '../preprocess/preprocessor.js';
import { trainPhase } from '../train/loop.js';
import { specFor, preprocessSpecOf } from './model-ops.js';
import type { TrainedModel, TransferContext } from './types.js';
import { ALL_LAYER_GROUPS } from '../models/spec.js';

/** Fits preprocessing on source training data and trains a fresh model on the pooled source sites. */
export function pretrainOnSources(ctx: TransferContext): TrainedModel {
  const { sourceTrain, sourceVal } = ctx.data;
  if (sourceTrain.length === 0) throw new Error('source pretraining: no source training samples');
  const preprocessor = fitPreprocessor(sourceTrain, preprocessSpecOf(ctx));
  const model = buildFusionModel(specFor(ctx, preprocessor), ctx.seed);
  const history = trainPhase(
    model,
    preprocessor.transform(sourceTrain),
    sourceVal.length ? preprocessor.transform(sourceVal) : null,
    { name: 'source pretraining', trainable: ALL_LAYER_GROUPS, ...ctx.plan.pretrain },
    { seed: ctx.seed, balanceClasses: true, progress: ctx.progress, label: `pretrain [${ctx.modalities.join('+')}]` },
  );
  return { model, preprocessor, history: [history] };
}
