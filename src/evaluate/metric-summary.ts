import { averagePrecisionOfSweep } from './auprc.js';
import { stratifiedBootstrapMany } from './bootstrap.js';
import { brierScore, expectedCalibrationError } from './calibration.js';
import { balancedAccuracyOf, binaryConfusionMatrix, confusionMatrix, f1Of, mccOf } from './confusion-metrics.js';
import { accuracyOf, auroc, confusion, sensitivityOf, specificityOf } from './metrics.js';
import { sensitivityAtSpecificityOfSweep, specificityAtSensitivityOfSweep } from './operating-point.js';
import { thresholdSweep } from './threshold-sweep.js';
import { argmaxRows, macroAuroc, multiclassAccuracy, multiclassBalancedAccuracy, oneVsRestAuroc } from './multiclass.js';

/** How metric summaries are computed. */
export interface SummaryOptions {
  /** Probability at or above which a binary prediction is positive. */
  readonly threshold: number;
  readonly resamples: number;
  readonly level: number;
  readonly seed: number;
  /** Specificity at which `sensitivity_at_specificity` is read (default 0.90). */
  readonly atSpecificity?: number;
  /** Sensitivity at which `specificity_at_sensitivity` is read (default 0.90). */
  readonly atSensitivity?: number;
}

/** Default target of `sensitivity_at_specificity` and `specificity_at_sensitivity`. */
export const DEFAULT_OPERATING_TARGET = 0.9;

/** The binary metrics reported, in output order. */
export const BINARY_METRICS = ['auroc', 'auprc', 'accuracy', 'balanced_accuracy', 'f1', 'mcc', 'brier', 'ece', 'sensitivity', 'specificity', 'sensitivity_at_specificity', 'specificity_at_sensitivity'] as const;
/** Name of one reported binary metric. */
export type BinaryMetric = (typeof BINARY_METRICS)[number];

/** The multi-class metrics reported, in output order. */
export const MULTICLASS_METRICS = ['auroc', 'accuracy', 'balanced_accuracy'] as const;
/** Name of one reported multi-class metric. */
export type MulticlassMetric = (typeof MULTICLASS_METRICS)[number];

/** A metric's point estimate and percentile CI; NaN where undefined on these data. */
export interface MetricWithCI {
  readonly value: number;
  readonly ci: readonly [number, number];
}

/** Binary metrics of one group of rows. */
export interface BinarySummary {
  readonly n: number;
  readonly nPositive: number;
  readonly metrics: Readonly<Record<BinaryMetric, MetricWithCI>>;
  /** sklearn layout: [[tn, fp], [fn, tp]]. */
  readonly confusionMatrix: number[][];
}

/** Multi-class metrics of one group of rows. */
export interface MulticlassSummary {
  readonly n: number;
  readonly classCounts: number[];
  readonly metrics: Readonly<Record<MulticlassMetric, MetricWithCI>>;
  readonly oneVsRestAuroc: number[];
  /** Rows true class, columns predicted (argmax) class. */
  readonly confusionMatrix: number[][];
}

function binaryValues(y: ArrayLike<number>, s: ArrayLike<number>, opts: SummaryOptions): number[] {
  const c = confusion(y, s, opts.threshold);
  const auc = auroc(y, s);
  // One sweep serves average precision and both operating points.
  const sweep = thresholdSweep(y, s);
  const all: Record<BinaryMetric, number> = {
    auroc: auc,
    auprc: averagePrecisionOfSweep(sweep),
    accuracy: accuracyOf(c),
    balanced_accuracy: balancedAccuracyOf(c),
    f1: f1Of(c),
    mcc: mccOf(c),
    brier: brierScore(y, s),
    ece: expectedCalibrationError(y, s),
    sensitivity: sensitivityOf(c),
    specificity: specificityOf(c),
    sensitivity_at_specificity: sensitivityAtSpecificityOfSweep(sweep, opts.atSpecificity ?? DEFAULT_OPERATING_TARGET),
    specificity_at_sensitivity: specificityAtSensitivityOfSweep(sweep, opts.atSensitivity ?? DEFAULT_OPERATING_TARGET),
  };
  return BINARY_METRICS.map((m) => all[m]);
}

function zip<M extends string>(names: readonly M[], values: readonly number[], cis: ReturnType<typeof stratifiedBootstrapMany>): Record<M, MetricWithCI> {
  const out = {} as Record<M, MetricWithCI>;
  names.forEach((m, j) => {
    out[m] = { value: values[j], ci: [cis[j].lo, cis[j].hi] };
  });
  return out;
}

/** Every binary metric with a stratified (by y_true) bootstrap CI, all from the same resamples. */
export function summariseBinary(yTrue: ArrayLike<number>, yScore: ArrayLike<number>, opts: SummaryOptions): BinarySummary {
  const n = yTrue.length;
  const ys = new Float64Array(n);
  const ss = new Float64Array(n);
  const cis = stratifiedBootstrapMany(
    yTrue,
    (idx) => {
      for (let i = 0; i < n; i++) {
        ys[i] = yTrue[idx[i]];
        ss[i] = yScore[idx[i]];
      }
      return binaryValues(ys, ss, opts);
    },
    opts,
  );
  let nPositive = 0;
  for (let i = 0; i < n; i++) nPositive += yTrue[i] === 1 ? 1 : 0;
  return {
    n,
    nPositive,
    metrics: zip(BINARY_METRICS, binaryValues(yTrue, yScore, opts), cis),
    confusionMatrix: binaryConfusionMatrix(confusion(yTrue, yScore, opts.threshold)),
  };
}

function multiclassValues(y: ArrayLike<number>, scores: readonly ArrayLike<number>[], k: number): number[] {
  const pred = argmaxRows(scores);
  return [macroAuroc(y, scores), multiclassAccuracy(y, pred), multiclassBalancedAccuracy(y, pred, k)];
}

/** Macro one-vs-rest AUROC, argmax accuracy and balanced accuracy, with stratified bootstrap CIs. */
export function summariseMulticlass(yTrue: ArrayLike<number>, scores: readonly ArrayLike<number>[], k: number, opts: SummaryOptions): MulticlassSummary {
  const n = yTrue.length;
  const ys = new Int32Array(n);
  const ss: ArrayLike<number>[] = new Array(n);
  const cis = stratifiedBootstrapMany(
    yTrue,
    (idx) => {
      for (let i = 0; i < n; i++) {
        ys[i] = yTrue[idx[i]];
        ss[i] = scores[idx[i]];
      }
      return multiclassValues(ys, ss, k);
    },
    opts,
  );
  const classCounts = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) classCounts[yTrue[i]]++;
  return {
    n,
    classCounts,
    metrics: zip(MULTICLASS_METRICS, multiclassValues(yTrue, scores, k), cis),
    oneVsRestAuroc: oneVsRestAuroc(yTrue, scores),
    confusionMatrix: confusionMatrix(yTrue, argmaxRows(scores), k),
  };
}
