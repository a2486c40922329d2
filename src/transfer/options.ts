import { z } from 'zod';

const positiveInt = z.number().int().positive();
const nonNeg = z.number().nonnegative();

/** The options schema of a strategy that takes none: any key is an unknown option. */
export const NO_OPTIONS = z.strictObject({});

/** Options shared by the domain-adaptation strategies (CORAL, MMD, DANN); spread into their own schemas. */
export const ADAPTATION_OPTIONS = {
  /** Weight of the alignment loss relative to the task loss. */
  weight: nonNeg.default(1),
  /** Fine-tune on the target's labelled budget after adapting, when there is one. */
  finetune: z.boolean().default(true),
  /** Epochs of the adaptation phase; default: the fine-tune phase's epochs. */
  epochs: positiveInt.optional(),
};

/** Options shared by the instance re-weighting strategies; spread into their own schemas. */
export const REWEIGHTING_OPTIONS = {
  /** Largest importance weight kept before normalising to mean 1. */
  clip: z.number().positive().default(10),
  finetune: z.boolean().default(true),
};

/** Options shared by the multi-source strategies; spread into their own schemas. */
export const MULTI_SOURCE_OPTIONS = {
  finetune: z.boolean().default(true),
};

/** The problems a schema finds in a method's options, one line each naming the key, or none. */
export function optionIssues(schema: z.ZodType, options: unknown): string[] {
  const result = schema.safeParse(options ?? {});
  if (result.success) return [];
  return result.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') return `unknown option${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}`;
    return `${i.path.length ? i.path.join('.') : '(options)'}: ${i.message}`;
  });
}

/** Parses a strategy's options (defaults filled), throwing an error that names the strategy and each bad field. */
export function parseStrategyOptions<S extends z.ZodType>(strategy: string, schema: S, options: unknown): z.output<S> {
  const result = schema.safeParse(options ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(options)'}: ${i.message}`);
    throw new Error(`options of strategy '${strategy}': ${problems.join('; ')}`);
  }
  return result.data;
}
