import { z } from 'zod';
import { deriveSeed } from '../util/random.js';
import * as tf from '@tensorflow/tfjs-core';
import { buildFusionModel } from '../models/fusion.js';
import { ALL_LAYER_GROUPS } from '../models/spec.js';
import { trainPhase } from '../train/loop.js';
import { cloneModel } from './model-ops.js';
import { labelledTarget, layerVariables, requireLabels, trainContextOf, weightedLayersTopDown } from './target-data.js';
import { defineStrategy } from './define.js';
import { runTuned, TUNE_OPTION } from './auto/tune.js';
import type { TrainedModel, TransferContext } from './types.js';

/**
 * Fine-tuning regime L2-SP (Li et al. 2018): fine-tune all layers with α‖w − w_source‖² on weights
 * shared with the source model and β‖w‖² on new ones, instead of plain weight decay.
 */
export const l2sp = defineStrategy({
  name: 'l2sp',
  description: 'pretrain on sources; fine-tune all layers penalising distance from the source weights',
  options: z.strictObject({
    /** Weight of α‖w − w_source‖² on the weights shared with the source model. */
    alpha: z.number().nonnegative().default(0.1),
    /** Weight of β‖w‖² on newly initialised weights (the logit layer when reinitHead is set). */
    beta: z.number().nonnegative().default(0.01),
    /** Re-initialise the logit layer, treating it as a new task head. */
    reinitHead: z.boolean().default(false),
    tune: TUNE_OPTION,
  }),
  usesSource: true,
  usesPretrained: true,
  run: (ctx, opts) => runTuned(ctx, opts, fit),
});

// The regime itself, on the plan and budget it is given (tuned or not).
async function fit(ctx: TransferContext, opts: { readonly alpha: number; readonly beta: number; readonly reinitHead: boolean }): Promise<TrainedModel> {
  requireLabels(ctx, 'l2sp');
  const pretrained = await ctx.pretrained();
  const model = cloneModel(pretrained.model, ctx.seed);
  const top = weightedLayersTopDown(model)[0];
  if (opts.reinitHead) {
    const fresh = buildFusionModel(model.spec, deriveSeed(ctx.seed, 'l2sp', 'head'));
    model.net.getLayer(top).setWeights(fresh.net.getLayer(top).getWeights());
    fresh.net.dispose();
  }
  const all = weightedLayersTopDown(model);
  const newLayers = opts.reinitHead ? [top] : [];
  const shared = layerVariables(model, all.filter((l) => !newLayers.includes(l)));
  const fresh = layerVariables(model, newLayers);
  const anchors = shared.map((v) => tf.keep(v.clone()));
  const { train, val } = labelledTarget(ctx, pretrained.preprocessor);
  try {
    const history = trainPhase(
      model,
      train,
      val,
      // L2-SP replaces weight decay: decaying toward zero would pull against the source anchor.
      { ...ctx.plan.finetune, weightDecay: 0, name: 'L2-SP fine-tune', trainable: ALL_LAYER_GROUPS },
      trainContextOf(ctx),
      {
        extraLoss: () => {
          const sp = tf.addN(shared.map((v, i) => tf.sum(tf.square(tf.sub(v, anchors[i])))));
          const terms: tf.Tensor[] = [tf.mul(sp, opts.alpha)];
          if (fresh.length) terms.push(tf.mul(tf.addN(fresh.map((v) => tf.sum(tf.square(v)))), opts.beta));
          return tf.addN(terms) as tf.Scalar;
        },
      },
    );
    return { model, preprocessor: pretrained.preprocessor, history: [...pretrained.history, history] };
  } finally {
    tf.dispose(anchors);
  }
}
