import type { Sample } from '../data/types.js';
import type { FusionModel } from '../models/fusion.js';
import type { FeatureSet } from '../preprocess/features.js';
import type { FittedPreprocessor } from '../preprocess/preprocessor.js';
import type { TrainContext } from '../train/loop.js';
import * as tf from '@tensorflow/tfjs-core';
import type { TransferContext } from './types.js';

/** The training context every phase of a strategy shares. */
export function trainContextOf(ctx: TransferContext): TrainContext {
  return { seed: ctx.seed, balanceClasses: true, progress: ctx.progress, label: ctx.label };
}

/** The target's labelled budget, preprocessed: fitting rows and early-stopping rows (null when there are none). */
export function labelledTarget(ctx: TransferContext, pre: FittedPreprocessor): { train: FeatureSet; val: FeatureSet | null } {
  const { targetTrain, targetVal } = ctx.data;
  return { train: pre.transform(targetTrain), val: targetVal.length ? pre.transform(targetVal) : null };
}

/**
 * Every target training subject (unlabelled pool plus the labelled budget) with labels blanked,
 * for domain adaptation and re-weighting, which must never read target labels.
 */
export function unlabelledTargetSamples(ctx: TransferContext): Sample[] {
  const { targetUnlabelled, targetTrain, targetVal } = ctx.data;
  return [...targetUnlabelled, ...targetTrain, ...targetVal].map((s) => ({ ...s, label: 0 as const }));
}

/** Layers that own trainable weights, from the output back to the inputs (top-down). */
export function weightedLayersTopDown(fm: FusionModel): string[] {
  return fm.net.layers.filter((l) => l.trainableWeights.length > 0).map((l) => l.name).reverse();
}

/** The core variables of the named layers, in layer order. */
export function layerVariables(fm: FusionModel, names: readonly string[]): tf.Variable[] {
  // LayerVariable wraps a core tf.Variable; optimizers need the core one.
  return names.flatMap((n) => fm.net.getLayer(n).trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
}

/** Throws a strategy-named error when the target label budget is zero. */
export function requireLabels(ctx: TransferContext, strategy: string): void {
  if (ctx.data.targetTrain.length === 0) throw new Error(`${strategy} needs a target label budget above zero`);
}
