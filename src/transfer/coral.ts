import { z } from 'zod';
import * as tf from '@tensorflow/tfjs-core';
import { runAdaptation } from './adapt.js';
import { standardisedCoralLoss } from './domain-losses.js';
import { defineStrategy } from './define.js';
import { ADAPTATION_OPTIONS } from './options.js';

/** Domain adaptation: align second-order statistics of source and unlabelled-target fused embeddings (Deep CORAL). */
export const coral = defineStrategy({
  name: 'coral',
  description: 'pretrain on sources; adapt with a CORAL loss between source and unlabelled target embeddings',
  options: z.strictObject({ ...ADAPTATION_OPTIONS }),
  usesSource: true,
  usesPretrained: true,
  async run(ctx, opts) {
    return runAdaptation(ctx, 'CORAL', () => ({ loss: (s, t) => tf.mul(standardisedCoralLoss(s, t), opts.weight) as tf.Scalar }), opts);
  },
});
