import * as tf from '@tensorflow/tfjs-core';
import { runAdaptation } from './adapt.js';
import { coralLoss } from './domain-losses.js';
import { parseStrategyOptions } from './options.js';
import type { TransferStrategy } from './types.js';

/** Domain adaptation: align second-order statistics of source and unlabelled-target fused embeddings (Deep CORAL). */
export const coral: TransferStrategy = {
  name: 'coral',
  description: 'pretrain on sources; adapt with a CORAL loss between source and unlabelled target embeddings',
  usesSource: true,
  usesPretrained: true,
  async run(ctx) {
    const opts = parseStrategyOptions('coral', ctx.options);
    return runAdaptation(ctx, 'CORAL', () => ({ loss: (s, t) => tf.mul(coralLoss(s, t), opts.weight) as tf.Scalar }), opts);
  },
};
