import type { z } from 'zod';
import type { ColumnSpec, Modality, Sample } from '../data/types.js';
import type { ModelBundle } from '../models/artifact.js';
import type { ModelSpec } from '../models/spec.js';
import type { ImagePreprocessOptions } from '../preprocess/image.js';
import type { VolumePreprocessOptions } from '../preprocess/volume.js';
import type { ImageEmbeddingLookup } from '../preprocess/preprocessor.js';
import type { CategoricalEncoding } from '../preprocess/tabular.js';
import type { PhaseHistory, TrainPhase } from '../train/loop.js';
import type { ProgressReporter } from '../util/progress.js';

/** The partitions a transfer strategy may use. Target test data is never in here. */
export interface TransferData {
  readonly sourceTrain: readonly Sample[];
  readonly sourceVal: readonly Sample[];
  /** Labelled target subjects used for fitting (part of the label budget). */
  readonly targetTrain: readonly Sample[];
  /** Labelled target subjects used for early stopping (the rest of the label budget). */
  readonly targetVal: readonly Sample[];
  /** Target training subjects whose labels the strategy must not read. */
  readonly targetUnlabelled: readonly Sample[];
}

/** Hyper-parameters of each training phase a strategy may run. */
export interface TrainingPlan {
  /** Source pretraining, all layers. */
  readonly pretrain: Omit<TrainPhase, 'name' | 'trainable'>;
  /** Target: new head on frozen encoders. */
  readonly head: Omit<TrainPhase, 'name' | 'trainable'>;
  /** Target: all layers at a lower learning rate. */
  readonly finetune: Omit<TrainPhase, 'name' | 'trainable'>;
  /** Target-only training from random initialisation. */
  readonly scratch: Omit<TrainPhase, 'name' | 'trainable'>;
}

/** Everything a strategy needs to produce a target model for one set of modalities. */
export interface TransferContext {
  readonly data: TransferData;
  readonly modalities: readonly Modality[];
  readonly schema: readonly ColumnSpec[];
  readonly image: ImagePreprocessOptions;
  /** How categorical columns reach the model: one-hot floats (default) or indices into learned embeddings. */
  readonly categorical?: CategoricalEncoding;
  /** Frozen-backbone image embeddings of the cohort's subjects; when set, image methods train on these instead of pixels. */
  readonly imageEmbeddings?: ImageEmbeddingLookup;
  /** Volume options; when set, image methods train the cnn3d encoder on `Sample.volume` instead of a 2-D CNN on `Sample.image`. */
  readonly volume?: VolumePreprocessOptions;
  /** Architecture, without the input-dependent fields. */
  readonly architecture: Omit<ModelSpec, 'modalities' | 'imageShape' | 'tabularDim'>;
  readonly plan: TrainingPlan;
  readonly seed: number;
  readonly progress: ProgressReporter;
  /** Label for progress bars. */
  readonly label: string;
  /** The method's `options` from the experiment file, raw; a strategy made by defineStrategy gets them parsed. */
  readonly options?: unknown;
  /** The source-pretrained model for these modalities, trained once and shared by strategies (each gets a copy). */
  pretrained(): Promise<TrainedModel>;
}

/** A trained target model and how it was trained. */
export interface TrainedModel extends ModelBundle {
  readonly history: readonly PhaseHistory[];
  /** What a strategy learned about its sources (weights, transferability, negative transfer), when it has something to say. */
  readonly report?: TransferReport;
}

/** One source site as a multi-source or re-weighting strategy judged it. */
export interface SourceAssessment {
  readonly site: string;
  readonly nTrain: number;
  /** Weight the strategy gave the source's samples (mean 1 over all source rows), when it weights sources. */
  readonly weight?: number;
  /** LogME evidence per sample of the target labels given the source model's embeddings, when computed. */
  readonly logme?: number;
  /** Whether source selection kept it. */
  readonly selected?: boolean;
  /** Target-validation AUROC of the source's own model fine-tuned on the target budget (null when undefined). */
  readonly targetValAuroc?: number | null;
  /** Target-validation log-loss of that model. */
  readonly targetValLoss?: number;
}

/** Typed findings of a strategy beyond its model. */
export interface TransferReport {
  readonly sources?: readonly SourceAssessment[];
  /** Target-validation log-loss of a target-only model trained on the same budget, the bar for negative transfer. */
  readonly targetOnlyValLoss?: number;
  /** Sources whose model did worse on target validation than target-only (negative transfer). */
  readonly negativeTransfer?: readonly string[];
  /** Summary of the importance weights, for re-weighting strategies. */
  readonly importanceWeights?: { readonly min: number; readonly max: number; readonly effectiveSampleSize: number; readonly n: number };
  /** Anything the strategy could not do with this budget (e.g. no labels to score sources). */
  readonly notes?: readonly string[];
  /** How `strategy: auto` chose among its candidates by inner cross-validation of the label budget. */
  readonly auto?: InnerCvSelection;
  /** How a fine-tuning regime's `tune` grid chose its learning rate and epochs by inner cross-validation. */
  readonly tuning?: InnerCvSelection;
}

/** One candidate (a strategy, or a point of a tuning grid) as inner cross-validation scored it. */
export interface InnerCvCandidateScore {
  /** The candidate's name (auto) or grid point (tune, e.g. `lr x3, 30 epochs`). */
  readonly name: string;
  /** Mean and standard deviation over held-out inner folds of the log-loss, the selecting score (lower is better). */
  readonly meanLogLoss: number;
  readonly sdLogLoss: number;
  /** Mean and standard deviation over held-out inner folds of AUROC, reported beside it (NaN where no fold had both classes). */
  readonly meanAuroc: number;
  readonly sdAuroc: number;
  /** auto: the candidate's mean paired per-fold gain over source_only in the selecting score (positive: the candidate did better), and its standard error. */
  readonly gainOverSourceOnly?: number;
  readonly gainSe?: number;
  /** auto, selecting by log-loss: the candidate's mean paired per-fold AUROC gain over source_only (the guard requires it not to be negative). */
  readonly aurocGainOverSourceOnly?: number;
  /** auto: whether the guard let the candidate replace source_only. */
  readonly eligible?: boolean;
  /** Why the candidate has no score (its run failed on an inner split); its scores are then NaN. */
  readonly error?: string;
}

/** The held-out score an inner cross-validation selects by. */
export type InnerCvMetric = 'log_loss' | 'auroc';

/** A choice made by inner cross-validation of the target label budget (see src/transfer/auto/inner-cv.ts). */
export interface InnerCvSelection {
  /** Name of the chosen candidate or grid point. */
  readonly chosen: string;
  /** The score that selects: mean held-out log-loss (lower wins) or mean held-out AUROC (higher wins). */
  readonly selectedBy: InnerCvMetric;
  /** Folds per repeat actually used (capped by the smaller class) and repeats. */
  readonly folds: number;
  readonly repeats: number;
  /** The guard rule applied, in words; absent where none applies (tuning). */
  readonly guard?: string;
  readonly candidates: readonly InnerCvCandidateScore[];
}

/** A way of producing a target-site model, from source data, target data or both; usually made by defineStrategy. */
export interface TransferStrategy {
  readonly name: string;
  /** One line saying what the strategy does, shown in reports and `--help`. */
  readonly description: string;
  /** Whether the strategy reads source data (false for target-only baselines). */
  readonly usesSource: boolean;
  /** Schema of the method's `options` (validated when an experiment file is parsed); absent: the strategy takes none. */
  readonly options?: z.ZodType;
  /**
   * Whether `run` awaits `ctx.pretrained()`. An experiment uses it to start those pretrainings
   * ahead, on worker threads (src/pipeline/pretrain-workers.ts); a strategy that leaves it unset
   * still gets its pretrained model, trained when it asks.
   */
  readonly usesPretrained?: boolean;
  run(ctx: TransferContext): Promise<TrainedModel>;
}
