import { z } from 'zod';
import { groupVariables } from '../models/fusion.js';
import { ALL_LAYER_GROUPS, type LayerGroup } from '../models/spec.js';
import { trainPhase } from '../train/loop.js';
import { cloneModel } from './model-ops.js';
import { labelledTarget, requireLabels, trainContextOf } from './target-data.js';
import { defineStrategy } from './define.js';
import { runTuned, TUNE_OPTION } from './auto/tune.js';
import type { TrainedModel, TransferContext } from './types.js';

/** Fine-tuning regime: every layer group trains at once, each at its own learning rate (lower for the encoders). */
export const discriminativeLr = defineStrategy({
  name: 'discriminative_lr',
  description: 'pretrain on sources; fine-tune all layers with per-group learning-rate multipliers',
  options: z.strictObject({
    /** Learning-rate multiplier of each layer group, relative to the head phase's learning rate. */
    multipliers: z
      .strictObject({ head: z.number().positive().default(1), tabular: z.number().positive().default(0.2), image: z.number().positive().default(0.1), text: z.number().positive().default(0.2) })
      .prefault({}),
    tune: TUNE_OPTION,
  }),
  usesSource: true,
  usesPretrained: true,
  run: (ctx, opts) => runTuned(ctx, opts, fit),
});

// The regime itself, on the plan and budget it is given (tuned or not).
async function fit(ctx: TransferContext, opts: { readonly multipliers: Readonly<Record<'head' | 'tabular' | 'image' | 'text', number>> }): Promise<TrainedModel> {
  requireLabels(ctx, 'discriminative_lr');
  const pretrained = await ctx.pretrained();
  const model = cloneModel(pretrained.model, ctx.seed);
  const { train, val } = labelledTarget(ctx, pretrained.preprocessor);
  const groups = (['head', 'tabular', 'text', 'image'] as const satisfies readonly LayerGroup[])
    .map((g) => ({ variables: groupVariables(model, [g]), learningRateMultiplier: opts.multipliers[g] }))
    .filter((g) => g.variables.length > 0);
  const phase = { ...ctx.plan.finetune, learningRate: ctx.plan.head.learningRate, name: 'discriminative fine-tune', trainable: ALL_LAYER_GROUPS };
  const history = trainPhase(model, train, val, phase, trainContextOf(ctx), { variableGroups: groups });
  return { model, preprocessor: pretrained.preprocessor, history: [...pretrained.history, history] };
}
