import type { ValidationFits } from '../evaluate/operating-points.js';
import type { PairedMeanDifference } from '../evaluate/paired.js';
import type { InnerCvSelection, TransferReport } from '../transfer/types.js';
import type { AurocOnSet } from '../evaluate/shift.js';
import type { FoldResult, FoldShift, MethodResult, RunResult } from './types.js';

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
  /** Youden's threshold chosen on target validation and applied to target test; null when validation has one class. */
  readonly youden: {
    readonly threshold: number;
    readonly val_sensitivity: number | null;
    readonly val_specificity: number | null;
    readonly accuracy: number | null;
    readonly sensitivity: number | null;
    readonly specificity: number | null;
    /** Target test at this threshold, sklearn layout [[tn, fp], [fn, tp]]. */
    readonly confusion_matrix: readonly (readonly number[])[];
  } | null;
  /** Temperature scaling fitted on target validation; ECE and Brier are on target test. */
  readonly temperature_scaling: {
    readonly temperature: number;
    readonly val_nll_before: number | null;
    readonly val_nll_after: number | null;
    readonly ece_before: number | null;
    readonly ece_after: number | null;
    readonly brier_before: number | null;
    readonly brier_after: number | null;
  } | null;
  readonly n_val: number;
  /** Why `youden` or `temperature_scaling` is null, else null. */
  readonly validation_note: string | null;
  /** Target-test subjects lacking each modality the method uses (predicted from the others). */
  readonly missing_modalities: Readonly<Record<string, number>>;
  /** What the strategy found about its sources (multi-source and re-weighting strategies), else null; absent in runs written before it existed. */
  readonly transfer_report: TransferReportJson | null;
  /** Whether the final weights equal the source model's bit for bit; null for strategies that do not start from it; absent in runs written before 7 Dec 2026. */
  readonly kept_source_model?: boolean | null;
}

/** One source site as a strategy judged it (absent fields: the strategy did not compute them). */
export interface SourceAssessmentJson {
  readonly site: string;
  readonly n_train: number;
  readonly weight?: number;
  readonly logme?: number;
  readonly selected?: boolean;
  readonly target_val_auroc?: number | null;
  readonly target_val_loss?: number;
}

/** A strategy's TransferReport in metrics.json: source assessments, negative transfer, importance weights, notes. */
export interface TransferReportJson {
  readonly sources?: readonly SourceAssessmentJson[];
  readonly target_only_val_loss?: number;
  /** Sources whose own model did worse on target validation than target-only training. */
  readonly negative_transfer?: readonly string[];
  readonly importance_weights?: { readonly min: number; readonly max: number; readonly effective_sample_size: number; readonly n: number };
  readonly notes?: readonly string[];
  /** How `strategy: auto` chose, by inner cross-validation of the label budget. */
  readonly auto?: InnerCvSelectionJson;
  /** How a fine-tuning regime's `tune` grid chose its learning rate and epochs. */
  readonly tuning?: InnerCvSelectionJson;
}

/** One candidate (auto) or grid point (tune) as inner cross-validation scored it; null scores: not finite (e.g. the run failed). */
export interface InnerCvCandidateJson {
  readonly name: string;
  readonly mean_log_loss: number | null;
  readonly sd_log_loss: number | null;
  readonly mean_auroc: number | null;
  readonly sd_auroc: number | null;
  readonly gain_over_source_only?: number | null;
  readonly gain_se?: number | null;
  readonly auroc_gain_over_source_only?: number | null;
  readonly eligible?: boolean;
  readonly error?: string;
}

/** A choice made by inner cross-validation (see TransferReport.auto and .tuning). */
export interface InnerCvSelectionJson {
  readonly chosen: string;
  readonly selected_by: 'log_loss' | 'auroc';
  readonly folds: number;
  readonly repeats: number;
  readonly guard?: string;
  readonly candidates: readonly InnerCvCandidateJson[];
}

/** One point of the label-budget curve in metrics.json. */
export interface BudgetCurvePointJson {
  readonly method: string;
  readonly budget: number;
  readonly n_train: number;
  readonly n_val: number;
  readonly auroc: number | null;
  readonly auroc_ci: readonly [number | null, number | null];
  readonly n_test: number;
}

/** A paired ΔAUROC (method − reference) on one fold's target test set. */
export interface FoldComparisonJson {
  readonly method: string;
  readonly reference: string;
  /** For a reference group (`bestOf`): the member it stood for on this fold, the one with the highest target-test AUROC. */
  readonly reference_resolved?: string;
  readonly delta_auroc: number | null;
  /** Paired stratified bootstrap CI: both methods scored on the same resampled subjects. */
  readonly delta_ci: readonly [number | null, number | null];
  readonly delong_p: number | null;
  readonly n_test: number;
}

/** A model's AUROC on one test set, with its stratified bootstrap CI. */
export interface AurocOnSetJson {
  readonly auroc: number | null;
  readonly ci: readonly [number | null, number | null];
  readonly n: number;
  readonly n_positive: number;
}

/** The fold's shift penalty and oracle ceiling in metrics.json; a part the run could not compute is null. */
export interface FoldShiftJson {
  /** The first source_only method on the source test set against the target test set; difference = source − target. */
  readonly penalty: {
    readonly method: string;
    readonly source_test: AurocOnSetJson;
    readonly target_test: AurocOnSetJson;
    readonly difference: number | null;
    /** Percentile CI from independent stratified resamples of the two test sets. */
    readonly ci: readonly [number | null, number | null];
  } | null;
  /** Synthetic cohorts: AUROC of the generator's true risk on the target test set, and of each source site's true risk function there. */
  readonly oracle: {
    readonly auroc: number | null;
    readonly ci: readonly [number | null, number | null];
    readonly n: number;
    readonly source_risk: readonly { readonly site: string; readonly auroc: number | null }[];
  } | null;
}

/** One fold of the protocol in metrics.json. */
export interface FoldJson {
  readonly id: string;
  readonly target: string;
  readonly sources: readonly string[];
  readonly seeds: { readonly root: number; readonly bootstrap: number; readonly paired: number; readonly training: number };
  readonly partitions: Readonly<Record<string, number>>;
  readonly methods: readonly MethodMetricsJson[];
  readonly budget_curve: readonly BudgetCurvePointJson[];
  readonly comparisons: readonly FoldComparisonJson[];
  /** Absent when the run computed neither part, and in runs written before 8 Dec 2026. */
  readonly shift?: FoldShiftJson;
}

/** A mean over folds (or of paired per-fold differences) with its Student-t interval. */
export interface MeanJson {
  readonly mean: number | null;
  /** Student-t CI on n − 1 degrees of freedom; nulls with one fold. */
  readonly ci: readonly [number | null, number | null];
  readonly n: number;
}

/** Per-method means over folds and pooled paired comparisons. */
export interface PooledJson {
  readonly methods: readonly { readonly method: string; readonly strategy: string; readonly auroc: MeanJson; readonly per_fold: readonly (number | null)[] }[];
  readonly comparisons: readonly { readonly method: string; readonly reference: string; readonly delta_auroc: MeanJson }[];
}

/** The version of the metrics.json layout this code writes (1: one fold at the top level, before protocols). */
export const METRICS_SCHEMA_VERSION = 2;

/** The metrics document: run identity, the protocol's folds (each with its methods) and the pooled summary. */
export interface MetricsJson {
  readonly schema_version: typeof METRICS_SCHEMA_VERSION;
  readonly run_id: string;
  readonly run_dir: string;
  readonly seed: number;
  readonly protocol: { readonly kind: string; readonly folds: number };
  readonly backend: string;
  /** How the backend computed: thread count and whether medtl's native kernels ran (results differ in float rounding between the two). */
  readonly compute?: {
    readonly backend: string;
    readonly threads: number;
    readonly native_kernels: boolean;
    readonly convolutions?: 'onednn' | 'im2col';
    /** Worker threads that ran the source pretrainings ahead; every training then ran its kernels on one thread (absent: none). */
    readonly pretraining_workers?: number;
  };
  readonly folds: readonly FoldJson[];
  readonly pooled: PooledJson;
}

// JSON has no NaN: an undefined metric (e.g. sensitivity with no positives) becomes null.
const num = (v: number): number | null => (Number.isFinite(v) ? v : null);
const pair = (v: readonly [number, number]): [number | null, number | null] => [num(v[0]), num(v[1])];
const mean = (m: PairedMeanDifference): MeanJson => ({ mean: num(m.mean), ci: pair(m.ci), n: m.n });

/** One method's row of metrics.json. */
export function methodMetricsJson(m: MethodResult): MethodMetricsJson {
  return {
    method: m.method,
    strategy: m.strategy,
    modalities: m.modalities,
    auroc: num(m.evaluation.auroc),
    auroc_ci: pair(m.evaluation.aurocCI),
    accuracy: num(m.evaluation.accuracy),
    sensitivity: num(m.evaluation.sensitivity),
    specificity: num(m.evaluation.specificity),
    threshold: m.evaluation.threshold,
    n_test: m.evaluation.nTest,
    n_positive: m.evaluation.nPositive,
    youden: youdenJson(m.validation),
    temperature_scaling: temperatureJson(m.validation),
    n_val: m.validation.nVal,
    validation_note: m.validation.note,
    missing_modalities: { ...m.missingModalities },
    transfer_report: m.transferReport ? transferReportJson(m.transferReport) : null,
    kept_source_model: m.keptSourceModel,
  };
}

function foldJson(f: FoldResult): FoldJson {
  const p = f.partitions;
  return {
    id: f.id,
    target: f.target,
    sources: f.sources,
    seeds: { ...f.seeds },
    partitions: {
      source_train: p.sourceTrain,
      source_val: p.sourceVal,
      source_test: p.sourceTest,
      target_labelled_train: p.targetLabelledTrain,
      target_labelled_val: p.targetLabelledVal,
      target_unlabelled: p.targetUnlabelled,
      target_test: p.targetTest,
    },
    methods: f.methods.map(methodMetricsJson),
    budget_curve: f.budgetCurve.map((c) => ({ method: c.method, budget: c.budget, n_train: c.nTrain, n_val: c.nVal, auroc: num(c.auroc), auroc_ci: pair(c.aurocCI), n_test: c.nTest })),
    comparisons: f.comparisons.map((c) => ({ method: c.method, reference: c.reference, ...(c.resolved ? { reference_resolved: c.resolved } : {}), delta_auroc: num(c.delta.difference), delta_ci: pair(c.delta.ci), delong_p: num(c.delta.p), n_test: c.delta.n })),
    ...(f.shift && { shift: shiftJson(f.shift) }),
  };
}

const onSetJson = (a: AurocOnSet): AurocOnSetJson => ({ auroc: num(a.auroc), ci: pair(a.ci), n: a.n, n_positive: a.nPositive });

/** A fold's shift summary in snake_case. */
export function shiftJson(s: FoldShift): FoldShiftJson {
  const p = s.penalty;
  const o = s.oracle;
  return {
    penalty: p ? { method: p.method, source_test: onSetJson(p.sourceTest), target_test: onSetJson(p.targetTest), difference: num(p.penalty.difference), ci: pair(p.penalty.ci) } : null,
    oracle: o ? { auroc: num(o.auroc), ci: pair(o.ci), n: o.n, source_risk: o.sourceRisk.map((r) => ({ site: r.site, auroc: num(r.auroc) })) } : null,
  };
}

/** Converts a run result into the snake_case metrics document. */
export function toMetricsJson(r: RunResult): MetricsJson {
  return {
    schema_version: METRICS_SCHEMA_VERSION,
    run_id: r.runId,
    run_dir: r.runDir,
    seed: r.config.seed,
    protocol: { kind: r.protocol.kind, folds: r.protocol.folds },
    backend: r.compute.backend,
    compute: {
      backend: r.compute.backend,
      threads: r.compute.threads,
      native_kernels: r.compute.native,
      ...(r.compute.convolutions ? { convolutions: r.compute.convolutions } : {}),
      ...(r.pretrainingWorkers > 0 ? { pretraining_workers: r.pretrainingWorkers } : {}),
    },
    folds: r.folds.map(foldJson),
    pooled: {
      methods: r.pooled.methods.map((m) => ({ method: m.method, strategy: m.strategy, auroc: mean(m.auroc), per_fold: m.perFold.map(num) })),
      comparisons: r.pooled.comparisons.map((c) => ({ method: c.method, reference: c.reference, delta_auroc: mean(c.delta) })),
    },
  };
}

function youdenJson(v: ValidationFits): MethodMetricsJson['youden'] {
  const t = v.threshold;
  if (!t) return null;
  return {
    threshold: t.threshold,
    val_sensitivity: num(t.valSensitivity),
    val_specificity: num(t.valSpecificity),
    accuracy: num(t.testAccuracy),
    sensitivity: num(t.testSensitivity),
    specificity: num(t.testSpecificity),
    confusion_matrix: [
      [t.test.tn, t.test.fp],
      [t.test.fn, t.test.tp],
    ],
  };
}

function temperatureJson(v: ValidationFits): MethodMetricsJson['temperature_scaling'] {
  const t = v.temperature;
  if (!t) return null;
  return {
    temperature: t.temperature,
    val_nll_before: num(t.valNllBefore),
    val_nll_after: num(t.valNllAfter),
    ece_before: num(t.testEceBefore),
    ece_after: num(t.testEceAfter),
    brier_before: num(t.testBrierBefore),
    brier_after: num(t.testBrierAfter),
  };
}

/** A TransferReport in snake_case, keeping only the fields the strategy set. */
export function transferReportJson(t: TransferReport): TransferReportJson {
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return defined({
    sources: t.sources?.map((s) =>
      defined({ site: s.site, n_train: s.nTrain, weight: s.weight, logme: s.logme, selected: s.selected, target_val_auroc: s.targetValAuroc, target_val_loss: s.targetValLoss }),
    ),
    target_only_val_loss: t.targetOnlyValLoss,
    negative_transfer: t.negativeTransfer,
    importance_weights: t.importanceWeights && {
      min: t.importanceWeights.min,
      max: t.importanceWeights.max,
      effective_sample_size: t.importanceWeights.effectiveSampleSize,
      n: t.importanceWeights.n,
    },
    notes: t.notes,
    auto: t.auto && innerCvSelectionJson(t.auto),
    tuning: t.tuning && innerCvSelectionJson(t.tuning),
  });
}

/** An inner-CV choice in snake_case, non-finite scores as null, unset fields left out. */
function innerCvSelectionJson(s: InnerCvSelection): InnerCvSelectionJson {
  const opt = (v: number | undefined): number | null | undefined => (v === undefined ? undefined : num(v));
  const candidates = s.candidates.map((c) =>
    definedOnly<InnerCvCandidateJson>({
      name: c.name,
      mean_log_loss: num(c.meanLogLoss),
      sd_log_loss: num(c.sdLogLoss),
      mean_auroc: num(c.meanAuroc),
      sd_auroc: num(c.sdAuroc),
      gain_over_source_only: opt(c.gainOverSourceOnly),
      gain_se: opt(c.gainSe),
      auroc_gain_over_source_only: opt(c.aurocGainOverSourceOnly),
      eligible: c.eligible,
      error: c.error,
    }),
  );
  return definedOnly<InnerCvSelectionJson>({ chosen: s.chosen, selected_by: s.selectedBy, folds: s.folds, repeats: s.repeats, guard: s.guard, candidates });
}

/** The object without its undefined fields, so JSON and deep equality see only what was set. */
function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** One line naming how a run computed, e.g. `wasm + native OpenBLAS kernels, 2 threads`, for the report and model card. */
export function describeCompute(m: Pick<MetricsJson, 'backend' | 'compute'>): string {
  if (m.compute === undefined) return m.backend;
  const kernels = m.compute.native_kernels ? ` + native OpenBLAS kernels${m.compute.convolutions === 'onednn' ? ' (oneDNN convolutions)' : ''}` : '';
  const workers = m.compute.pretraining_workers ? `: source pretraining on ${m.compute.pretraining_workers} worker threads, every training on 1 kernel thread` : '';
  return `${m.compute.backend}${kernels}, ${m.compute.threads} thread${m.compute.threads === 1 ? '' : 's'}${workers}`;
}
