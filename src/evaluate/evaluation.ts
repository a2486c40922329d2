import { stratifiedBootstrapCI } from './bootstrap.js';
import { accuracyOf, auroc, confusion, sensitivityOf, specificityOf } from './metrics.js';

/** Settings for summarising one method's predictions on a test set. */
export interface EvaluationOptions {
  /** Probability at or above which a prediction counts as positive. */
  readonly threshold: number;
  readonly bootstrapResamples: number;
  readonly seed: number;
}

/** A method's target-site test metrics, with a 95% bootstrap CI on AUROC. */
export interface BinaryEvaluation {
  readonly auroc: number;
  readonly aurocCI: readonly [number, number];
  readonly accuracy: number;
  readonly sensitivity: number;
  readonly specificity: number;
  readonly threshold: number;
  readonly nTest: number;
  readonly nPositive: number;
}

/** Computes AUROC (with a stratified bootstrap 95% CI), accuracy, sensitivity and specificity. */
export function evaluateBinary(labels: ArrayLike<number>, probs: ArrayLike<number>, opts: EvaluationOptions): BinaryEvaluation {
  const c = confusion(labels, probs, opts.threshold);
  const ci = stratifiedBootstrapCI(labels, probs, auroc, { resamples: opts.bootstrapResamples, level: 0.95, seed: opts.seed });
  let nPositive = 0;
  for (let i = 0; i < labels.length; i++) nPositive += labels[i] === 1 ? 1 : 0;
  return {
    auroc: auroc(labels, probs),
    aurocCI: [ci.lo, ci.hi],
    accuracy: accuracyOf(c),
    sensitivity: sensitivityOf(c),
    specificity: specificityOf(c),
    threshold: opts.threshold,
    nTest: labels.length,
    nPositive,
  };
}
