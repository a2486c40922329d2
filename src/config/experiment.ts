import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { describeZodIssue } from '../util/zod-issues.js';
import { strategyOptionProblems } from '../transfer/registry.js';

const positiveInt = z.number().int().positive();
const fraction = z.number().min(0).max(1);

/** Schema of one training phase's hyper-parameters, with the given defaults. */
function phaseSchema(d: { epochs: number; learningRate: number; patience: number }) {
  return z
    .strictObject({
      epochs: positiveInt.default(d.epochs),
      batchSize: positiveInt.default(32),
      learningRate: z.number().positive().default(d.learningRate),
      patience: z.number().int().nonnegative().default(d.patience),
      weightDecay: z.number().nonnegative().default(1e-4),
      augment: z.boolean().default(true),
      /** Optimiser steps before early stopping may keep any weights; above 0 the starting weights never win (0: they compete). */
      minSteps: z.number().int().nonnegative().default(10),
    })
    .prefault({});
}

/** A modality a method may use; 'text' needs clinical notes in the cohort. */
const modality = z.enum(['image', 'tabular', 'text']);

/** A row of the results table: a strategy applied with a set of modalities. */
export const methodSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'use lower_snake_case'),
  strategy: z.string().min(1),
  modalities: z.array(modality).min(1),
  /** Strategy-specific options (see docs/methods.md), validated against the strategy's own schema. */
  options: z.record(z.string(), z.unknown()).optional(),
});

/** The methods the demo reports: transfer (strategy auto, its default candidates) and its baselines. */
export const DEFAULT_METHODS: z.input<typeof methodSchema>[] = [
  // 3 inner folds rather than auto's 5 keep the demo near 30 s on 2 cores (docs/methods.md, "auto").
  { name: 'transfer', strategy: 'auto', modalities: ['image', 'tabular'], options: { folds: 3 } },
  { name: 'target_only', strategy: 'target_only', modalities: ['image', 'tabular'] },
  { name: 'source_only', strategy: 'source_only', modalities: ['image', 'tabular'] },
  // The baselines a clinician would pick: L2 logistic regressions on the records, fitted on the sources or on the target budget.
  { name: 'source_only_logistic', strategy: 'source_only_logistic', modalities: ['tabular'] },
  { name: 'target_only_logistic', strategy: 'target_only_logistic', modalities: ['tabular'] },
  // A linear probe a reviewer would ask for: the target-budget logistic on the records and the frozen source image embedding.
  { name: 'embedding_logistic', strategy: 'target_only_logistic', modalities: ['image', 'tabular'], options: { features: 'both' } },
  { name: 'transfer_image_only', strategy: 'freeze_unfreeze', modalities: ['image'] },
  { name: 'transfer_tabular_only', strategy: 'freeze_unfreeze', modalities: ['tabular'] },
];

const syntheticData = z.strictObject({
  kind: z.literal('synthetic'),
  /** Cohort seed; defaults to the experiment seed. */
  seed: z.number().int().optional(),
  imageSize: positiveInt.default(64),
});

/** Real data: a site manifest (docs/data.md), ingested into the workspace catalog before the run. */
const manifestData = z.strictObject({
  kind: z.literal('manifest'),
  /** Manifest path, relative to the working directory. */
  path: z.string().min(1),
  /** Data root overriding the manifest's `root:`. */
  root: z.string().optional(),
});

const seedInt = z.number().int().nonnegative();

/** How the runner plans folds; a bare string is the kind with its defaults (`protocol: leave_one_site_out`). */
const protocolSchema = z.preprocess(
  (v) => (typeof v === 'string' ? { kind: v } : v),
  z.discriminatedUnion('kind', [
    /** One split: `target` is the target, `sources` (or every other site) the sources. */
    z.strictObject({ kind: z.literal('holdout') }),
    /** Each site in turn (or each of `targets`) is the target, every other site a source. */
    z.strictObject({ kind: z.literal('leave_one_site_out'), targets: z.array(z.string().min(1)).min(1).optional() }),
    /** k grouped, label-stratified folds of the target: each is the test set once, the label budget drawn from the rest. */
    z.strictObject({ kind: z.literal('grouped_kfold'), k: z.number().int().min(2).default(5) }),
    /** The hold-out repeated with `seeds`, or with `repeats` seeds derived from the root seed. */
    z.strictObject({ kind: z.literal('repeated'), seeds: z.array(seedInt).min(2).optional(), repeats: z.number().int().min(2).default(5) }),
  ]),
);

/** Schema of an experiment file (`medtl run experiment.yaml`); every key is optional except where noted. */
export const experimentSchema = z.strictObject({
  name: z.string().default('experiment'),
  seed: seedInt.default(42),
  workspace: z.string().default('./medtl-workspace'),
  data: z.discriminatedUnion('kind', [syntheticData, manifestData]).prefault({ kind: 'synthetic' }),
  target: z.string().default('hosp_d'),
  /** Source site ids; by default every site except the target. */
  sources: z.array(z.string()).min(1).optional(),
  /** How folds are planned (docs/protocols.md); default one hold-out split. */
  protocol: protocolSchema.default({ kind: 'holdout' }),
  split: z
    .strictObject({
      source: z
        .strictObject({ train: fraction.default(0.7), val: fraction.default(0.15), test: fraction.default(0.15) })
        .prefault({}),
      /** Fraction of target subjects held out for testing. */
      targetTest: z.number().gt(0).lt(1).default(0.4),
      /** Number of labelled target subjects available to transfer (train + early-stopping validation). */
      targetBudget: z.number().int().nonnegative().default(60),
      /** Fraction of the label budget used for early stopping rather than fitting. */
      targetValFraction: z.number().min(0).lt(1).default(0.3),
    })
    .prefault({}),
  preprocess: z
    .strictObject({
      imageSize: positiveInt.default(32),
      window: z.tuple([z.number(), z.number()]).default([-1000, 400]),
      /** Categorical record columns as one-hot floats, or as category indices into learned embeddings (tabular encoder). */
      categorical: z.enum(['onehot', 'embedding']).default('onehot'),
      /** [depth, height, width] volumes are resampled to for `model.imageEncoder: cnn3d`; [16, imageSize, imageSize] when absent. */
      volumeSize: z.tuple([positiveInt, positiveInt, positiveInt]).optional(),
    })
    .prefault({}),
  model: z
    .strictObject({
      imageFilters: z.array(positiveInt).min(1).default([8, 16, 32]),
      imagePooling: z.enum(['flatten', 'avg', 'max']).default('flatten'),
      imageEmbed: positiveInt.default(32),
      tabularHidden: z.array(positiveInt).min(1).default([32, 16]),
      headHidden: positiveInt.default(16),
      /** Image encoder: a 2-D CNN on each subject's image (default), or a 3-D CNN on its whole volume (manifest data only). */
      imageEncoder: z.enum(['cnn2d', 'cnn3d']).optional(),
      /** Where modalities meet: raw features (early), per-modality embeddings (intermediate) or per-modality predictions (late). */
      fusion: z.enum(['early', 'intermediate', 'late']).default('intermediate'),
      /** How early/intermediate fusion joins modalities: concatenation, or concatenation after per-modality sigmoid gates. */
      join: z.enum(['concat', 'gated']).default('concat'),
      /** How late fusion combines per-modality logits: softmax-normalised learned weights, or stacking (logistic regression on validation logits). */
      lateCombine: z.enum(['weights', 'stacking']).default('weights'),
      /** Per-sample, per-modality probability of hiding a modality during training. */
      modalityDropout: z.number().min(0).lt(1).default(0),
      /** Presence-mask input so a sample lacking a modality is predicted from the rest; on by default when modalityDropout > 0. */
      masking: z.boolean().optional(),
      /** A frozen pretrained image backbone (ONNX): image methods train on its embeddings instead of a CNN on pixels. */
      backbone: z
        .strictObject({
          /** ONNX model file, relative to the working directory. */
          onnx: z.string().min(1),
          /** [height, width, channels] the model takes; images are windowed and resized to height x width (square). */
          inputShape: z.tuple([positiveInt, positiveInt, positiveInt]),
          /** Input tensor layout: nchw (PyTorch exports) or nhwc (TensorFlow exports). */
          layout: z.enum(['nchw', 'nhwc']).default('nchw'),
          /** Images per inference call. */
          batchSize: positiveInt.default(32),
        })
        .optional(),
    })
    .prefault({}),
  training: z
    .strictObject({
      pretrain: phaseSchema({ epochs: 40, learningRate: 2e-3, patience: 8 }),
      head: phaseSchema({ epochs: 40, learningRate: 5e-3, patience: 8 }),
      finetune: phaseSchema({ epochs: 30, learningRate: 3e-4, patience: 6 }),
      scratch: phaseSchema({ epochs: 60, learningRate: 2e-3, patience: 10 }),
    })
    .prefault({}),
  methods: z.array(methodSchema).min(1).default(DEFAULT_METHODS as z.output<typeof methodSchema>[]),
  evaluation: z
    .strictObject({
      /** Probability at or above which a prediction is positive. */
      threshold: z.number().gt(0).lt(1).default(0.5),
      bootstrapResamples: positiveInt.default(1000),
      /** Target label budgets (subjects) of the label-budget curve; [] skips the curve. */
      budgetCurve: z.array(z.number().int().min(2)).default([20, 40]),
      /** Methods the curve retrains at each budget; by default the first transfer method and the first target_only one. */
      budgetCurveMethods: z.array(z.string()).min(1).optional(),
      /**
       * What every method is compared with (paired ΔAUROC): method names, and groups `{ name, bestOf: [methods] }`
       * resolved per fold to the member with the highest target-test AUROC. Default: the source_only and
       * target_only methods, plus best_source / best_target_only groups where a logistic baseline is configured.
       */
      references: z.array(z.union([z.string(), z.strictObject({ name: z.string().min(1), bestOf: z.array(z.string()).min(2) })])).optional(),
      /** Record columns reported as subgroups (a column without a record value is skipped). */
      subgroups: z.array(z.string()).default(['sex', 'age']),
      /** Cut points of the age bands the `age` subgroup column is cut into. */
      ageBands: z.array(z.number()).min(1).default([0, 50, 65, 80]),
      /** Fewest positives and negatives for a subgroup to be reported with CIs. */
      minPerClass: z.number().int().nonnegative().default(10),
    })
    .prefault({}),
});

/** A validated experiment configuration with every default filled in. */
export type ExperimentConfig = z.output<typeof experimentSchema>;

/** The configuration as a user writes it: every field optional. */
export type ExperimentInput = z.input<typeof experimentSchema>;

/** A config error listing every offending key with what was expected. */
export class ConfigError extends Error {
  /** Builds the error from a source name and one line per problem. */
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid experiment config ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates an experiment object, throwing a ConfigError that names each bad key and the expected form. */
export function parseExperiment(input: unknown, source = '(inline)'): ExperimentConfig {
  const result = experimentSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(source, result.error.issues.map((i) => describeZodIssue(i, experimentSchema)));
  const cfg = result.data;
  const s = cfg.split.source;
  if (Math.abs(s.train + s.val + s.test - 1) > 1e-9) {
    throw new ConfigError(source, [`split.source: train + val + test must sum to 1, got ${s.train + s.val + s.test}`]);
  }
  if (!(cfg.preprocess.window[0] < cfg.preprocess.window[1])) {
    throw new ConfigError(source, [`preprocess.window: expected [lo, hi] with lo < hi, got [${cfg.preprocess.window.join(', ')}]`]);
  }
  const bb = cfg.model.backbone;
  if (bb && bb.inputShape[0] !== bb.inputShape[1]) {
    throw new ConfigError(source, [`model.backbone.inputShape: images are resized to a square, so height must equal width; got [${bb.inputShape.join(', ')}]`]);
  }
  if (cfg.model.imageEncoder === 'cnn3d' && bb) {
    throw new ConfigError(source, ['model.imageEncoder: cnn3d trains a CNN on volumes, model.backbone replaces the CNN with frozen embeddings; set one of them']);
  }
  const names = new Set<string>();
  for (const m of cfg.methods) {
    if (names.has(m.name)) throw new ConfigError(source, [`methods: the name '${m.name}' is used twice`]);
    names.add(m.name);
  }
  const p = cfg.protocol;
  if (p.kind === 'leave_one_site_out' && cfg.sources) {
    throw new ConfigError(source, ['sources: protocol leave_one_site_out uses every site but the fold\'s target as sources; remove sources (or use protocol.targets to choose the targets)']);
  }
  if (p.kind === 'repeated' && p.seeds && new Set(p.seeds).size !== p.seeds.length) {
    throw new ConfigError(source, [`protocol.seeds: a seed is repeated (${p.seeds.join(', ')}); each repeat must draw its own splits`]);
  }
  const refNames = new Set<string>();
  for (const [i, ref] of (cfg.evaluation.references ?? []).entries()) {
    const name = typeof ref === 'string' ? ref : ref.name;
    if (refNames.has(name)) throw new ConfigError(source, [`evaluation.references.${i}: the reference '${name}' is listed twice`]);
    refNames.add(name);
    if (typeof ref === 'string') {
      if (!names.has(ref)) throw new ConfigError(source, [`evaluation.references: '${ref}' is not a configured method; methods: ${[...names].join(', ')}`]);
      continue;
    }
    if (names.has(ref.name)) throw new ConfigError(source, [`evaluation.references.${i}.name: '${ref.name}' is a method's name; give the group a name of its own`]);
    for (const m of ref.bestOf) {
      if (!names.has(m)) throw new ConfigError(source, [`evaluation.references.${i}.bestOf (group '${ref.name}'): '${m}' is not a configured method; methods: ${[...names].join(', ')}`]);
    }
  }
  const optionProblems = cfg.methods.flatMap((m, i) => strategyOptionProblems(m.strategy, m.options).map((p) => `methods.${i}.options (method '${m.name}', strategy '${m.strategy}'): ${p}`));
  if (optionProblems.length) throw new ConfigError(source, optionProblems);
  return cfg;
}

/** Reads and validates a YAML (or JSON) experiment file. */
export async function loadExperimentFile(path: string): Promise<ExperimentConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(path, [`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (e) {
    const msg = e instanceof YAMLParseError ? e.message : String(e);
    throw new ConfigError(path, [`not valid YAML: ${msg}`]);
  }
  return parseExperiment(doc, path);
}

