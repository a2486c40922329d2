import { deriveSeed } from '../util/random.js';
import { buildFusionModel } from '../models/fusion.js';
import { fitPreprocessor } from '../preprocess/preprocessor.js';
import { trainPhase } from '../train/loop.js';
import { specFor, preprocessSpecOf } from './model-ops.js';
import { ALL_LAYER_GROUPS } from '../models/spec.js';
import { defineStrategy } from './define.js';
import { NO_OPTIONS } from './options.js';

/** Baseline: a model trained from scratch on the target's labelled budget only, with preprocessing fitted there. */
export const targetOnly = defineStrategy({
  name: 'target_only',
  description: 'train from random initialisation on the target label budget only',
  options: NO_OPTIONS,
  usesSource: false,
  async run(ctx) {
    const { targetTrain, targetVal } = ctx.data;
    if (targetTrain.length === 0) throw new Error('target_only needs a target label budget above zero');
    const preprocessor = fitPreprocessor(targetTrain, preprocessSpecOf(ctx));
    const model = buildFusionModel(specFor(ctx, preprocessor), deriveSeed(ctx.seed, 'target_only', 'init'));
    const history = trainPhase(
      model,
      preprocessor.transform(targetTrain),
      targetVal.length ? preprocessor.transform(targetVal) : null,
      { name: 'target from scratch', trainable: ALL_LAYER_GROUPS, ...ctx.plan.scratch },
      { seed: ctx.seed, balanceClasses: true, progress: ctx.progress, label: ctx.label },
    );
    return { model, preprocessor, history: [history] };
  },
});
