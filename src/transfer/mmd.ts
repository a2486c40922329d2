import * as tf from '@tensorflow/tfjs-core';
import { runAdaptation } from './adapt.js';
import { mmdLoss } from './domain-losses.js';
import { parseStrategyOptions } from './options.js';
import type { TransferStrategy } from './types.js';

/** Domain adaptation: minimise multi-kernel Gaussian MMD between source and unlabelled-target fused embeddings. */
export const mmd: TransferStrategy = {
  name: 'mmd',
  description: 'pretrain on sources; adapt with a multi-kernel MMD loss between source and unlabelled target embeddings',
  usesSource: true,
  usesPretrained: true,
  async run(ctx) {
    const opts = parseStrategyOptions('mmd', ctx.options);
    return runAdaptation(ctx, 'MMD', () => ({ loss: (s, t) => tf.mul(mmdLoss(s, t), opts.weight) as tf.Scalar }), opts);
  },
};
