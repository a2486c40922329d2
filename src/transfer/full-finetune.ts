import { trainPhase } from '../train/loop.js';
import { cloneModel } from './model-ops.js';
import { labelledTarget, requireLabels, trainContextOf } from './target-data.js';
import type { TransferStrategy } from './types.js';
import { ALL_LAYER_GROUPS } from '../models/spec.js';

/** Fine-tuning regime: start from the source model and train every layer on the target at the fine-tune learning rate. */
export const fullFinetune: TransferStrategy = {
  name: 'full_finetune',
  description: 'pretrain on sources; fine-tune all layers on the target at once',
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
};
