import type { ComputeInfo } from '../compute/index.js';
import type { ExperimentConfig } from '../config/experiment.js';
import type { Modality } from '../data/types.js';
import type { BinaryEvaluation } from '../evaluate/evaluation.js';
import type { ValidationFits } from '../evaluate/operating-points.js';
import type { OracleCeiling } from '../evaluate/oracle-aurocs.js';
import type { PairedAurocDifference, PairedMeanDifference } from '../evaluate/paired.js';
import type { ShiftPenalty } from '../evaluate/shift.js';
import type { PhaseHistory } from '../train/loop.js';
import type { TransferReport } from '../transfer/types.js';

/** One row of the results: a method's target-test evaluation in one fold and how it was trained. */
export interface MethodResult {
  readonly method: string;
  readonly strategy: string;
  readonly modalities: readonly Modality[];
  readonly evaluation: BinaryEvaluation;
  readonly history: readonly PhaseHistory[];
  /** Youden threshold and temperature fitted on target validation, applied to target test. */
  readonly validation: ValidationFits;
  /** Target-test subjects lacking each modality the method uses; they are still predicted, from the others. */
  readonly missingModalities: Readonly<Partial<Record<Modality, number>>>;
  /** What the strategy found about its sources (weights, transferability, negative transfer), when it reports any. */
  readonly transferReport?: TransferReport;
  /** Whether the final weights equal the source-pretrained model's bit for bit (the target phase kept the source model); null for strategies that do not start from it. */
  readonly keptSourceModel: boolean | null;
  /** Wall time of this method, including any source pretraining it triggered first. */
  readonly seconds: number;
}

/** Sizes of the partitions every method of a fold shared. */
export interface PartitionCounts {
  readonly sourceTrain: number;
  readonly sourceVal: number;
  readonly sourceTest: number;
  readonly targetLabelledTrain: number;
  readonly targetLabelledVal: number;
  readonly targetUnlabelled: number;
  readonly targetTest: number;
}

/** One point of a fold's label-budget curve: a method retrained with `budget` labelled target subjects. */
export interface BudgetCurvePoint {
  readonly method: string;
  readonly budget: number;
  readonly nTrain: number;
  readonly nVal: number;
  readonly auroc: number;
  readonly aurocCI: readonly [number, number];
  readonly nTest: number;
}

/** A method compared with a reference method on one fold's target test set (same subjects, paired). */
export interface FoldComparison {
  readonly method: string;
  /** A reference method's name, or a reference group's (e.g. best_source). */
  readonly reference: string;
  /** For a group reference: the member it stood for on this fold (the highest target-test AUROC). */
  readonly resolved?: string;
  readonly delta: PairedAurocDifference;
}

/** The seeds a fold drew from, so every random draw of the run can be repeated and audited. */
export interface FoldSeeds {
  /** The fold's root seed; every other seed of the fold is derived from it by label. */
  readonly root: number;
  /** Seed of the stratified bootstrap behind the fold's AUROC CIs (the report redraws the same resamples). */
  readonly bootstrap: number;
  /** Seed of the paired bootstrap behind the fold's ΔAUROC CIs. */
  readonly paired: number;
  /** Seed every strategy of the fold trains from. */
  readonly training: number;
}

/** What the site shift costs in one fold: the unadapted source model's AUROC on source vs target test, and the generator's ceiling. */
export interface FoldShift {
  /** The first `source_only` method's shift penalty; absent when the run has none. */
  readonly penalty?: ShiftPenalty & { readonly method: string };
  /** Synthetic cohorts only: the true risk's AUROC on the fold's target test set; absent for real data. */
  readonly oracle?: OracleCeiling;
}

/** One fold of a protocol: its target and sources, partitions, every method's result and its comparisons. */
export interface FoldResult {
  /** Stable name of the fold: the target site for leave-one-site-out, `fold-<i>` for k-fold, `seed-<n>` for repeats, `holdout`. */
  readonly id: string;
  readonly target: string;
  readonly sources: readonly string[];
  readonly seeds: FoldSeeds;
  readonly partitions: PartitionCounts;
  readonly methods: readonly MethodResult[];
  /** Label-budget curve points (empty when `evaluation.budgetCurve` is []). */
  readonly budgetCurve: readonly BudgetCurvePoint[];
  readonly comparisons: readonly FoldComparison[];
  /** The shift penalty and oracle ceiling, where the run can compute them. */
  readonly shift?: FoldShift;
}

/** A method over every fold of the protocol: the mean AUROC with its Student-t interval. */
export interface PooledMethod {
  readonly method: string;
  readonly strategy: string;
  readonly auroc: PairedMeanDifference;
  /** AUROC in each fold, in fold order. */
  readonly perFold: readonly number[];
}

/** A method against a reference over every fold: the mean of the paired per-fold ΔAUROC with its t-interval. */
export interface PooledComparison {
  readonly method: string;
  readonly reference: string;
  readonly delta: PairedMeanDifference;
}

/** How the folds were planned (the config's `protocol`, resolved against the cohort). */
export interface ProtocolSummary {
  readonly kind: ExperimentConfig['protocol']['kind'];
  readonly folds: number;
}

/** Where a cohort came from, for the run record. */
export type CohortOrigin =
  | { readonly kind: 'synthetic'; readonly dir: string; readonly generated: boolean }
  | {
      readonly kind: 'manifest';
      /** Absolute path of the site manifest. */
      readonly manifest: string;
      /** Absolute data root the manifest was read from. */
      readonly root: string;
      readonly subjects: number;
      /** Input items left out (bad rows, missing images), with reasons in the ingest report. */
      readonly quarantined: number;
      /** Rows left out on purpose (include/exclude criteria, records linked to the same person at an earlier site), apart from quarantined ones. */
      readonly excluded: number;
    };

/** Per-site counts and prevalence, and the role the site played in the run. */
export interface SiteSummary {
  readonly site: string;
  /** Role in the run: `target` when it was the target of any fold, else `source` when it was a source of any. */
  readonly role: 'source' | 'target' | 'unused';
  readonly n: number;
  readonly positives: number;
  readonly prevalence: number;
  readonly withImage: number;
  readonly withRecord: number;
}

/** Everything a run produced, as typed values; the run record on disk mirrors it. */
export interface RunResult {
  readonly runId: string;
  readonly runDir: string;
  readonly config: ExperimentConfig;
  readonly compute: ComputeInfo;
  readonly cohort: CohortOrigin;
  readonly sites: readonly SiteSummary[];
  readonly protocol: ProtocolSummary;
  readonly folds: readonly FoldResult[];
  /** Per-method means over folds, and pooled paired comparisons (with one fold: that fold's values, no interval). */
  readonly pooled: { readonly methods: readonly PooledMethod[]; readonly comparisons: readonly PooledComparison[] };
  readonly seconds: number;
  /** Worker threads that ran the source pretrainings ahead (0: each ran in the main thread when first needed). */
  readonly pretrainingWorkers: number;
}

/** One method's scores on one test set of one fold, kept for the predictions files. */
export interface MethodPredictions {
  readonly fold: string;
  readonly method: string;
  /** `site/subject_id` per row. */
  readonly keys: readonly string[];
  readonly labels: Float32Array;
  readonly scores: Float32Array;
}

/** Subgroup columns (e.g. sex, age) of every test subject, written as subjects.csv. */
export interface SubjectRows {
  readonly columns: readonly string[];
  readonly rows: readonly {
    readonly fold: string;
    readonly site: string;
    readonly subjectId: string;
    readonly split: string;
    readonly values: readonly (number | string | null)[];
  }[];
}
