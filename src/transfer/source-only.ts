import type { TransferStrategy } from './types.js';

/** Baseline: the source-pretrained model applied to the target with no adaptation and no target labels. */
export const sourceOnly: TransferStrategy = {
  name: 'source_only',
  description: 'train on the source sites, apply to the target unchanged',
  usesSource: true,
  usesPretrained: true,
  async run(ctx) {
    return ctx.pretrained();
  },
};
