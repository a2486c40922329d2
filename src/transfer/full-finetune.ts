import { trainPhase } from '../train/loop.js';
import { cloneModel } from './model-ops.js';
import { labelledTarget, requireLabels, trainContextOf } from './target-data.js';
import { ALL_LAYER_GROUPS } from '../models/spec.js';
import { defineStrategy } from './define.js';
import { NO_OPTIONS } from './options.js';

/** Fine-tuning regime: start from the source model and train every layer on the target at the fine-tune learning rate. */
export const fullFinetune = defineStrategy({
  name: 'full_finetune',
  description: 'pretrain on sources; fine-tune all layers on the target at once',
  options: NO_OPTIONS,
  usesSource: true,
  usesPretrained: true,
  async run(ctx) {
    requireLabels(ctx, 'full_finetune');
    const pretrained = await ctx.pretrained();
    const model = cloneModel(pretrained.model, ctx.seed);
    const { train, val } = labelledTarget(ctx, pretrained.preprocessor);
    const history = trainPhase(model, train, val, { name: 'fine-tune all layers', trainable: ALL_LAYER_GROUPS, ...ctx.plan.finetune }, trainContextOf(ctx));
    return { model, preprocessor: pretrained.preprocessor, history: [...pretrained.history, history] };
  },
});
