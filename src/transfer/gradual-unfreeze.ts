import { z } from 'zod';
import { trainPhase, type PhaseHistory } from '../train/loop.js';
import { cloneModel } from './model-ops.js';
import { labelledTarget, layerVariables, requireLabels, trainContextOf, weightedLayersTopDown } from './target-data.js';
import { ALL_LAYER_GROUPS } from '../models/spec.js';
import { defineStrategy } from './define.js';
import { runTuned, TUNE_OPTION } from './auto/tune.js';
import type { TrainedModel, TransferContext } from './types.js';

/**
 * Fine-tuning regime (ULMFiT-style): unfreeze one layer per stage from the top down, training the
 * unfrozen layers for a few epochs each stage, until every layer trains.
 */
export const gradualUnfreeze = defineStrategy({
  name: 'gradual_unfreeze',
  description: 'pretrain on sources; unfreeze layers one at a time from the top, fine-tuning after each',
  options: z.strictObject({
    /** Epochs of each unfreezing stage (the early-stopping patience of the fine-tune phase still applies). */
    epochsPerStage: z.number().int().positive().default(10),
    tune: TUNE_OPTION,
  }),
  usesSource: true,
  usesPretrained: true,
  // A tuning grid's epochs are each stage's.
  run: (ctx, opts) => runTuned(ctx, opts, fit, (o, p) => ({ ...o, epochsPerStage: p.epochs })),
});

// The regime itself, on the plan and budget it is given (tuned or not).
async function fit(ctx: TransferContext, opts: { readonly epochsPerStage: number }): Promise<TrainedModel> {
  requireLabels(ctx, 'gradual_unfreeze');
  const pretrained = await ctx.pretrained();
  const model = cloneModel(pretrained.model, ctx.seed);
  const { train, val } = labelledTarget(ctx, pretrained.preprocessor);
  const layers = weightedLayersTopDown(model);
  const history: PhaseHistory[] = [];
  for (let k = 1; k <= layers.length; k++) {
    // The first stage trains a fresh-ish top alone, so it gets the head phase's larger learning rate.
    const base = k === 1 ? ctx.plan.head : ctx.plan.finetune;
    const phase = { ...base, name: `unfreeze top ${k}/${layers.length} (${layers[k - 1]})`, trainable: ALL_LAYER_GROUPS, epochs: opts.epochsPerStage };
    history.push(trainPhase(model, train, val, phase, trainContextOf(ctx), { variableGroups: [{ variables: layerVariables(model, layers.slice(0, k)), learningRateMultiplier: 1 }] }));
  }
  return { model, preprocessor: pretrained.preprocessor, history: [...pretrained.history, ...history] };
}
