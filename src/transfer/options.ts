import { z } from 'zod';

const positiveInt = z.number().int().positive();
const nonNeg = z.number().nonnegative();

/** Options shared by the domain-adaptation strategies (CORAL, MMD, DANN). */
const adaptation = {
  /** Weight of the alignment loss relative to the task loss. */
  weight: nonNeg.default(1),
  /** Fine-tune on the target's labelled budget after adapting, when there is one. */
  finetune: z.boolean().default(true),
  /** Epochs of the adaptation phase; default: the fine-tune phase's epochs. */
  epochs: positiveInt.optional(),
};

/** Options shared by the instance re-weighting strategies. */
const reweighting = {
  /** Largest importance weight kept before normalising to mean 1. */
  clip: z.number().positive().default(10),
  finetune: z.boolean().default(true),
};

/** Per-strategy option schemas: `methods[].options` in an experiment file is validated against these. */
export const STRATEGY_OPTIONS = {
  source_only: z.strictObject({}),
  target_only: z.strictObject({}),
  freeze_unfreeze: z.strictObject({}),
  pooled: z.strictObject({
    /** Loss weight of each labelled target row relative to a source row. */
    targetWeight: z.number().positive().default(1),
  }),
  linear_probe: z.strictObject({}),
  full_finetune: z.strictObject({}),
  gradual_unfreeze: z.strictObject({
    /** Epochs of each unfreezing stage (the early-stopping patience of the fine-tune phase still applies). */
    epochsPerStage: positiveInt.default(10),
  }),
  discriminative_lr: z.strictObject({
    /** Learning-rate multiplier of each layer group, relative to the head phase's learning rate. */
    multipliers: z
      .strictObject({ head: z.number().positive().default(1), tabular: z.number().positive().default(0.2), image: z.number().positive().default(0.1), text: z.number().positive().default(0.2) })
      .prefault({}),
  }),
  l2sp: z.strictObject({
    /** Weight of α‖w − w_source‖² on the weights shared with the source model. */
    alpha: nonNeg.default(0.1),
    /** Weight of β‖w‖² on newly initialised weights (the logit layer when reinitHead is set). */
    beta: nonNeg.default(0.01),
    /** Re-initialise the logit layer, treating it as a new task head. */
    reinitHead: z.boolean().default(false),
  }),
  coral: z.strictObject({ ...adaptation }),
  mmd: z.strictObject({ ...adaptation }),
  dann: z.strictObject({
    ...adaptation,
    /** Hidden width of the domain classifier. */
    hidden: positiveInt.default(16),
    /** γ of the λ schedule 2/(1+exp(−γp)) − 1. */
    gamma: z.number().positive().default(10),
  }),
  reweight_classifier: z.strictObject({ ...reweighting, l2: nonNeg.default(1e-2) }),
  reweight_kmm: z.strictObject({
    ...reweighting,
    /** Allowed relative deviation of the mean weight from 1 (KMM's ε). */
    epsilon: nonNeg.default(0.1),
    iterations: positiveInt.default(500),
  }),
  reweight_kliep: z.strictObject({
    ...reweighting,
    /** Number of target samples used as kernel centres. */
    centres: positiveInt.default(100),
    iterations: positiveInt.default(500),
  }),
  multi_source_weighted: z.strictObject({
    /** Temperature of the softmax over negative target-validation log-losses that gives source weights. */
    temperature: z.number().positive().default(0.05),
    finetune: z.boolean().default(true),
  }),
  source_selection_logme: z.strictObject({
    /** Keep this many sources with the highest LogME; default: half of them, rounded up. */
    topK: positiveInt.optional(),
    finetune: z.boolean().default(true),
  }),
} as const;

/** Names of strategies that have an options schema. */
export type StrategyName = keyof typeof STRATEGY_OPTIONS;

/** The parsed options type of a strategy. */
export type StrategyOptions<K extends StrategyName> = z.output<(typeof STRATEGY_OPTIONS)[K]>;

/** Parses a strategy's options (defaults filled), throwing an error that names the strategy and each bad field. */
export function parseStrategyOptions<K extends StrategyName>(strategy: K, options: unknown): StrategyOptions<K> {
  const result = STRATEGY_OPTIONS[strategy].safeParse(options ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(options)'}: ${i.message}`);
    throw new Error(`options of strategy '${strategy}': ${problems.join('; ')}`);
  }
  return result.data as StrategyOptions<K>;
}

/** Problems with a method's options, one line each, or none; strategies without a schema accept no options. */
export function strategyOptionProblems(strategy: string, options: unknown): string[] {
  if (!(strategy in STRATEGY_OPTIONS)) return options && Object.keys(options).length ? [`strategy '${strategy}' takes no options`] : [];
  const result = STRATEGY_OPTIONS[strategy as StrategyName].safeParse(options ?? {});
  if (result.success) return [];
  return result.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') return `unknown option${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}`;
    return `${i.path.length ? i.path.join('.') : '(options)'}: ${i.message}`;
  });
}
