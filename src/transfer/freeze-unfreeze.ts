import { trainPhase } from '../train/loop.js';
import { cloneModel } from './model-ops.js';
import { ALL_LAYER_GROUPS } from '../models/spec.js';
import { defineStrategy } from './define.js';
import { z } from 'zod';
import { runTuned, TUNE_OPTION } from './auto/tune.js';
import type { TrainedModel, TransferContext } from './types.js';

/**
 * Fine-tuning regime: start from the source-pretrained model, train the fusion head with the
 * encoders frozen, then unfreeze everything and fine-tune at a lower learning rate.
 */
export const freezeThenUnfreeze = defineStrategy({
  name: 'freeze_unfreeze',
  description: 'pretrain on sources; train the head on frozen encoders, then fine-tune all layers at a lower learning rate',
  options: z.strictObject({ tune: TUNE_OPTION }),
  usesSource: true,
  usesPretrained: true,
  run: (ctx, opts) => runTuned(ctx, opts, fit),
});

// The regime itself, on the plan and budget it is given (tuned or not).
async function fit(ctx: TransferContext): Promise<TrainedModel> {
  const { targetTrain, targetVal } = ctx.data;
  if (targetTrain.length === 0) throw new Error('freeze_unfreeze needs a target label budget above zero');
  const pretrained = await ctx.pretrained();
  const model = cloneModel(pretrained.model, ctx.seed);
  const pre = pretrained.preprocessor;
  const train = pre.transform(targetTrain);
  const val = targetVal.length ? pre.transform(targetVal) : null;
  const trainCtx = { seed: ctx.seed, balanceClasses: true, progress: ctx.progress, label: ctx.label };
  const head = trainPhase(model, train, val, { name: 'head on frozen encoders', trainable: ['head'], ...ctx.plan.head }, trainCtx);
  const all = trainPhase(model, train, val, { name: 'fine-tune all layers', trainable: ALL_LAYER_GROUPS, ...ctx.plan.finetune }, trainCtx);
  return { model, preprocessor: pre, history: [...pretrained.history, head, all] };
}
