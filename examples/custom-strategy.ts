// A transfer strategy written outside medtl, with its own options, registered and used from an experiment.
// Kept compiling by `npm run typecheck`. Run: npx tsx examples/custom-strategy.ts
import { z } from 'zod';
import { defineStrategy, getStrategy, parseExperiment, registerStrategy } from '../src/index.js';

// Fine-tunes the source-pretrained model with a chosen number of fine-tune epochs.
const shortFinetune = defineStrategy({
  name: 'short_finetune',
  description: 'pretrain on sources; fine-tune all layers for a fixed number of epochs',
  options: z.strictObject({ epochs: z.number().int().positive().default(5) }),
  usesSource: true,
  usesPretrained: true,
  async run(ctx, opts) {
    // opts is typed { epochs: number }, defaults filled; the built-in strategy takes no options of its own.
    const plan = { ...ctx.plan, finetune: { ...ctx.plan.finetune, epochs: opts.epochs } };
    return getStrategy('full_finetune').run({ ...ctx, plan, options: undefined });
  },
});
registerStrategy(shortFinetune);

const config = parseExperiment({ methods: [{ name: 'short', strategy: 'short_finetune', modalities: ['tabular'], options: { epochs: 3 } }] });
console.log(config.methods[0]);
try {
  parseExperiment({ methods: [{ name: 'short', strategy: 'short_finetune', modalities: ['tabular'], options: { epoch: 3 } }] });
} catch (e) {
  console.log((e as Error).message);
}
// runExperiment(config) would now train and evaluate it like any built-in strategy.
