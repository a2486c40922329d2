import { trainPhase } from '../train/loop.js';
import { cloneModel } from './model-ops.js';
import { labelledTarget, requireLabels, trainContextOf } from './target-data.js';
import { ALL_LAYER_GROUPS } from '../models/spec.js';
import { defineStrategy } from './define.js';
import type { TrainedModel, TransferContext } from './types.js';
import { z } from 'zod';
import { runTuned, TUNE_OPTION } from './auto/tune.js';

/** Fine-tuning regime: start from the source model and train every layer on the target at the fine-tune learning rate. */
export const fullFinetune = defineStrategy({
  name: 'full_finetune',
  description: 'pretrain on sources; fine-tune all layers on the target at once',
  options: z.strictObject({ tune: TUNE_OPTION }),
  usesSource: true,
  usesPretrained: true,
  run: (ctx, opts) => runTuned(ctx, opts, fit),
});

// The regime itself, on the plan and budget it is given (tuned or not).
async function fit(ctx: TransferContext): Promise<TrainedModel> {
  requireLabels(ctx, 'full_finetune');
  const pretrained = await ctx.pretrained();
  const model = cloneModel(pretrained.model, ctx.seed);
  const { train, val } = labelledTarget(ctx, pretrained.preprocessor);
  const history = trainPhase(model, train, val, { name: 'fine-tune all layers', trainable: ALL_LAYER_GROUPS, ...ctx.plan.finetune }, trainContextOf(ctx));
  return { model, preprocessor: pretrained.preprocessor, history: [...pretrained.history, history] };
}
