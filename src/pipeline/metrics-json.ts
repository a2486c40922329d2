import type { ExperimentResult } from './experiment.js';

/** One method's row in the `--json` output and metrics.json (schema documented in docs/cli.md). */
export interface MethodMetricsJson {
  readonly method: string;
  readonly strategy: string;
  readonly modalities: readonly string[];
  readonly auroc: number | null;
  readonly auroc_ci: readonly [number | null, number | null];
  readonly accuracy: number | null;
  readonly sensitivity: number | null;
  readonly specificity: number | null;
  readonly threshold: number;
  readonly n_test: number;
  readonly n_positive: number;
}

/** The metrics document: run identity plus one entry per method. */
export interface MetricsJson {
  readonly run_id: string;
  readonly run_dir: string;
  readonly seed: number;
  readonly target: string;
  readonly sources: readonly string[];
  readonly backend: string;
  readonly partitions: Readonly<Record<string, number>>;
  readonly methods: readonly MethodMetricsJson[];
}

// JSON has no NaN: an undefined metric (e.g. sensitivity with no positives) becomes null.
const num = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Converts a run result into the snake_case metrics document. */
export function toMetricsJson(r: ExperimentResult): MetricsJson {
  return {
    run_id: r.runId,
    run_dir: r.runDir,
    seed: r.config.seed,
    target: r.target,
    sources: r.sources,
    backend: r.compute.backend,
    partitions: {
      source_train: r.partitions.sourceTrain,
      source_val: r.partitions.sourceVal,
      source_test: r.partitions.sourceTest,
      target_labelled_train: r.partitions.targetLabelledTrain,
      target_labelled_val: r.partitions.targetLabelledVal,
      target_unlabelled: r.partitions.targetUnlabelled,
      target_test: r.partitions.targetTest,
    },
    methods: r.methods.map((m) => ({
      method: m.method,
      strategy: m.strategy,
      modalities: m.modalities,
      auroc: num(m.evaluation.auroc),
      auroc_ci: [num(m.evaluation.aurocCI[0]), num(m.evaluation.aurocCI[1])],
      accuracy: num(m.evaluation.accuracy),
      sensitivity: num(m.evaluation.sensitivity),
      specificity: num(m.evaluation.specificity),
      threshold: m.evaluation.threshold,
      n_test: m.evaluation.nTest,
      n_positive: m.evaluation.nPositive,
    })),
  };
}
