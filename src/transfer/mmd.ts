import { z } from 'zod';
import * as tf from '@tensorflow/tfjs-core';
import { runAdaptation } from './adapt.js';
import { mmdLoss } from './domain-losses.js';
import { defineStrategy } from './define.js';
import { ADAPTATION_OPTIONS } from './options.js';

/** Domain adaptation: minimise multi-kernel Gaussian MMD between source and unlabelled-target fused embeddings. */
export const mmd = defineStrategy({
  name: 'mmd',
  description: 'pretrain on sources; adapt with a multi-kernel MMD loss between source and unlabelled target embeddings',
  options: z.strictObject({ ...ADAPTATION_OPTIONS }),
  usesSource: true,
  usesPretrained: true,
  async run(ctx, opts) {
    return runAdaptation(ctx, 'MMD', () => ({ loss: (s, t) => tf.mul(mmdLoss(s, t), opts.weight) as tf.Scalar }), opts);
  },
});
