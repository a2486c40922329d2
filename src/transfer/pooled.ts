import { z } from 'zod';
import { buildFusionModel } from '../models/fusion.js';
import { concatFeatures } from '../preprocess/features.js';
import { fitPreprocessor } from '../preprocess/preprocessor.js';
import { trainPhase } from '../train/loop.js';
import { specFor, preprocessSpecOf } from './model-ops.js';
import { trainContextOf } from './target-data.js';
import { ALL_LAYER_GROUPS } from '../models/spec.js';
import { defineStrategy } from './define.js';

/** Baseline: one model trained from scratch on source and labelled target data together. */
export const pooled = defineStrategy({
  name: 'pooled',
  description: 'train from scratch on the source sites and the target label budget pooled together',
  options: z.strictObject({
    /** Loss weight of each labelled target row relative to a source row. */
    targetWeight: z.number().positive().default(1),
  }),
  usesSource: true,
  async run(ctx, opts) {
    const { sourceTrain, sourceVal, targetTrain, targetVal } = ctx.data;
    const fitRows = [...sourceTrain, ...targetTrain];
    const pre = fitPreprocessor(fitRows, preprocessSpecOf(ctx));
    const train = pre.transform(fitRows);
    const valRows = [...sourceVal, ...targetVal];
    const val = valRows.length ? concatFeatures([pre.transform(valRows)]) : null;
    const sampleWeights = new Float32Array(train.n).fill(1).fill(opts.targetWeight, sourceTrain.length);
    const model = buildFusionModel(specFor(ctx, pre), ctx.seed);
    const history = trainPhase(model, train, val, { name: 'pooled training', trainable: ALL_LAYER_GROUPS, ...ctx.plan.pretrain }, trainContextOf(ctx), {
      sampleWeights,
    });
    return { model, preprocessor: pre, history: [history] };
  },
});
