import { defineStrategy } from './define.js';
import { NO_OPTIONS } from './options.js';

/** Baseline: the source-pretrained model applied to the target with no adaptation and no target labels. */
export const sourceOnly = defineStrategy({
  name: 'source_only',
  description: 'train on the source sites, apply to the target unchanged',
  options: NO_OPTIONS,
  usesSource: true,
  usesPretrained: true,
  async run(ctx) {
    return ctx.pretrained();
  },
});
