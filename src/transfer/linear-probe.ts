import { trainPhase } from '../train/loop.js';
import { cloneModel } from './model-ops.js';
import { labelledTarget, layerVariables, requireLabels, trainContextOf, weightedLayersTopDown } from './target-data.js';
import { defineStrategy } from './define.js';
import { z } from 'zod';
import { runTuned, TUNE_OPTION } from './auto/tune.js';
import type { TrainedModel, TransferContext } from './types.js';

/** Fine-tuning regime: keep every source-trained layer frozen and refit only the final linear (logit) layer. */
export const linearProbe = defineStrategy({
  name: 'linear_probe',
  description: 'pretrain on sources; refit only the final linear layer on the target',
  options: z.strictObject({ tune: TUNE_OPTION }),
  usesSource: true,
  usesPretrained: true,
  run: (ctx, opts) => runTuned(ctx, opts, fit),
});

// The regime itself, on the plan and budget it is given (tuned or not).
async function fit(ctx: TransferContext): Promise<TrainedModel> {
  requireLabels(ctx, 'linear_probe');
  const pretrained = await ctx.pretrained();
  const model = cloneModel(pretrained.model, ctx.seed);
  const { train, val } = labelledTarget(ctx, pretrained.preprocessor);
  const top = weightedLayersTopDown(model)[0];
  const history = trainPhase(model, train, val, { name: 'linear probe', trainable: ['head'], ...ctx.plan.head }, trainContextOf(ctx), {
    variableGroups: [{ variables: layerVariables(model, [top]), learningRateMultiplier: 1 }],
  });
  return { model, preprocessor: pretrained.preprocessor, history: [...pretrained.history, history] };
}
