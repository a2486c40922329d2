import * as tf from '@tensorflow/tfjs-core';
import { forwardLogits, groupVariables, inputTensors, kernelVariables, range, type FusionModel } from '../models/fusion.js';
import type { LayerGroup } from '../models/spec.js';
import type { FeatureSet } from '../preprocess/features.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { Rng } from '../util/random.js';
import { dihedralAugment } from './augment.js';
import { kernelSumSquares } from '../compute/index.js';
import { adam } from './adam.js';
import { weightedSigmoidCrossEntropy } from './loss.js';

/** One phase of training: which layer groups learn, for how long, and how fast. */
export interface TrainPhase {
  readonly name: string;
  /** Layer groups whose weights are updated; the rest stay frozen. */
  readonly trainable: readonly LayerGroup[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Epochs without validation improvement before stopping; the best weights are restored. */
  readonly patience: number;
  /** L2 penalty on trainable kernels. */
  readonly weightDecay: number;
  /** Random 90° rotations and flips of training images. */
  readonly augment: boolean;
  /**
   * Optimiser steps the phase must take before early stopping may keep any weights; while it is
   * above 0 the starting weights never win (absent or 0: they compete as epoch -1).
   */
  readonly minSteps?: number;
}

/** Per-epoch record of a phase. */
export interface EpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss: number | null;
}

/** What a phase did: its epochs, the best epoch kept, and whether it stopped early. */
export interface PhaseHistory {
  readonly phase: string;
  readonly epochs: readonly EpochRecord[];
  /** Epoch whose weights were kept; -1 when no epoch beat the starting weights on validation. */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
}

/** Context shared by the phases of one training run. */
export interface TrainContext {
  readonly seed: number;
  /** Weight positives and negatives so each class contributes equally to the loss. */
  readonly balanceClasses: boolean;
  readonly progress?: ProgressReporter;
  /** Label shown on the progress bar, e.g. the method name. */
  readonly label?: string;
}

/** What a per-step hook sees: where training is, and the batch the task loss is computed on. */
export interface StepContext {
  readonly epoch: number;
  readonly step: number;
  /** Fraction of the phase's planned steps already done, in [0, 1); schedules such as DANN's λ read it. */
  readonly progress: number;
  /** Training-row indices of this batch. */
  readonly indices: readonly number[];
  /** The model inputs of this batch (one tensor per modality), valid only during the call. */
  readonly inputs: readonly tf.Tensor[];
}

/** Variables trained together at one learning rate, a multiple of the phase's. */
export interface VariableGroup {
  readonly variables: readonly tf.Variable[];
  readonly learningRateMultiplier: number;
}

/** Optional extensions of a phase, so transfer strategies add losses and weights without copying the loop. */
export interface PhaseHooks {
  /** An extra loss term added to the task loss at every step, built inside the gradient tape. */
  readonly extraLoss?: (step: StepContext) => tf.Scalar;
  /** Variables outside the model (e.g. a domain classifier), trained alongside it. */
  readonly extraVariables?: readonly tf.Variable[];
  /** Learning rate of `extraVariables` as a multiple of the phase's (1 when absent), e.g. a faster domain classifier. */
  readonly extraLearningRateMultiplier?: number;
  /** Per-training-row loss weights, multiplied with the class weights (e.g. importance weights). */
  readonly sampleWeights?: Float32Array;
  /** Replaces the phase's `trainable` groups: exactly these variables train, each group at its own learning rate. */
  readonly variableGroups?: readonly VariableGroup[];
  /** Run every epoch and keep the final weights: for adversarial objectives, whose loss is no guide to the best epoch. */
  readonly keepLast?: boolean;
}

/** Per-class loss weights that balance the classes of a training set (n / (2 * n_class)). */
export function balancedClassWeights(labels: Float32Array): { pos: number; neg: number } {
  let nPos = 0;
  for (const y of labels) nPos += y === 1 ? 1 : 0;
  const n = labels.length;
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return { pos: 1, neg: 1 };
  return { pos: n / (2 * nPos), neg: n / (2 * nNeg) };
}

/**
 * Trains the model's `phase.trainable` groups with Adam on the training set, with seeded shuffling,
 * class-balanced weighted cross-entropy, and early stopping on validation loss (best weights kept).
 */
export function trainPhase(fm: FusionModel, train: FeatureSet, val: FeatureSet | null, phase: TrainPhase, ctx: TrainContext, hooks: PhaseHooks = {}): PhaseHistory {
  if (train.n === 0) throw new Error(`phase '${phase.name}': no training samples`);
  if (hooks.sampleWeights && hooks.sampleWeights.length !== train.n) {
    throw new Error(`phase '${phase.name}': ${hooks.sampleWeights.length} sample weights for ${train.n} training rows`);
  }
  const groups: VariableGroup[] = hooks.variableGroups
    ? [...hooks.variableGroups]
    : [{ variables: groupVariables(fm, phase.trainable), learningRateMultiplier: 1 }];
  const modelVars = groups.flatMap((g) => g.variables);
  if (modelVars.length === 0) throw new Error(`phase '${phase.name}': no trainable variables in groups [${phase.trainable.join(', ')}]`);
  // Kernels are the rank >= 2 weights (TF.js suffixes their names per model, so names are no guide).
  const kernels = hooks.variableGroups ? modelVars.filter((v) => v.shape.length >= 2) : kernelVariables(fm, phase.trainable);
  if (hooks.extraVariables?.length) groups.push({ variables: hooks.extraVariables, learningRateMultiplier: hooks.extraLearningRateMultiplier ?? 1 });
  const vars = groups.flatMap((g) => g.variables);
  const weights = ctx.balanceClasses ? balancedClassWeights(train.labels) : { pos: 1, neg: 1 };
  // Adam is invariant to gradient scale, so a per-group learning rate needs its own optimizer.
  const optimizers = groups.map((g) => adam(phase.learningRate * g.learningRateMultiplier));
  // With the fused Adam kernel the L2 penalty leaves the autodiff graph: its gradient is added
  // inside the optimizer step and its value summed natively (about a third fewer TF.js kernels
  // per step of the demo model). Elsewhere it stays in the loss, as before.
  const kernelNames = new Set(kernels.map((k) => k.name));
  const foldL2 = phase.weightDecay > 0 && kernels.length > 0 && optimizers.every((o) => o.canFoldL2());
  if (foldL2) groups.forEach((g, gi) => optimizers[gi].foldL2(g.variables.filter((v) => kernelNames.has(v.name)).map((v) => v.name), phase.weightDecay));
  const sampleWeights = hooks.sampleWeights;
  const rng = new Rng(`${ctx.seed}:${phase.name}`);
  const augRng = rng.fork('augment');
  const progress = ctx.progress ?? silentProgress;
  const history: EpochRecord[] = [];
  // Without a minimum the starting weights compete too (epoch -1): a phase that never beats them on
  // validation leaves the model as it found it. On a handful of validation rows that happens by
  // chance, and the phase silently returns the source model; a minimum number of steps forces it to
  // move first, so the validation rows pick among trained weights only.
  const minSteps = phase.minSteps ?? 0;
  let best = { loss: Infinity, epoch: -1, weights: null as tf.Tensor[] | null };
  if (val && val.n > 0 && !hooks.keepLast && minSteps === 0) best = { loss: evaluateLoss(fm, val, weights), epoch: -1, weights: fm.net.getWeights().map((t) => t.clone()) };
  let stoppedEarly = false;
  const stepsPerEpoch = Math.ceil(train.n / phase.batchSize);
  progress.start(`${ctx.label ?? 'train'} · ${phase.name}`, phase.epochs * stepsPerEpoch);
  try {
    for (let epoch = 0; epoch < phase.epochs; epoch++) {
      const order = rng.shuffle(range(0, train.n));
      let lossSum = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        const idx = order.slice(step * phase.batchSize, (step + 1) * phase.batchSize);
        const inputs = inputTensors(fm, train, idx, phase.augment ? (d, n, [h, w, c]) => dihedralAugment(d, n, h, w, c, augRng) : undefined);
        const y = tf.tensor1d(idx.map((i) => train.labels[i]));
        const w = tf.tensor1d(idx.map((i) => (train.labels[i] === 1 ? weights.pos : weights.neg) * (sampleWeights ? sampleWeights[i] : 1)));
        const stepCtx: StepContext = { epoch, step, progress: (epoch * stepsPerEpoch + step) / (phase.epochs * stepsPerEpoch), indices: idx, inputs };
        const { value: loss, grads } = tf.variableGrads(() => {
          let total = weightedSigmoidCrossEntropy(forwardLogits(fm, inputs, true), y, w);
          if (phase.weightDecay > 0 && kernels.length > 0 && !foldL2) {
            const l2 = tf.addN(kernels.map((k) => tf.sum(tf.square(k))));
            total = tf.add(total, tf.mul(l2, phase.weightDecay));
          }
          if (hooks.extraLoss) total = tf.add(total, hooks.extraLoss(stepCtx));
          return total;
        }, vars);
        // The folded penalty's value, at the weights the loss saw (before the step).
        const penalty = foldL2 ? phase.weightDecay * kernels.reduce((sum, k) => sum + (kernelSumSquares(k) ?? 0), 0) : 0;
        groups.forEach((g, gi) => {
          // A penalised kernel the loss does not reach still decays, as it would with the penalty
          // in the loss; its zero gradient stands in for the missing one.
          const zeros: tf.Tensor[] = [];
          const sub = g.variables
            .filter((v) => grads[v.name] || (foldL2 && kernelNames.has(v.name)))
            .map((v) => ({ name: v.name, tensor: grads[v.name] ?? zeros[zeros.push(tf.zerosLike(v)) - 1] }));
          optimizers[gi].applyGradients(sub);
          tf.dispose(zeros);
        });
        tf.dispose(Object.values(grads));
        lossSum += (loss.dataSync()[0] + penalty) * idx.length;
        tf.dispose([loss, y, w, ...inputs]);
        progress.update(epoch * stepsPerEpoch + step + 1, `epoch ${epoch + 1}/${phase.epochs}`);
      }
      const valLoss = val && val.n > 0 ? evaluateLoss(fm, val, weights) : null;
      history.push({ epoch, trainLoss: lossSum / train.n, valLoss });
      const monitored = valLoss ?? lossSum / train.n;
      if (hooks.keepLast) continue;
      // Before the minimum, an epoch neither becomes the best nor counts toward patience.
      if ((epoch + 1) * stepsPerEpoch < minSteps && epoch < phase.epochs - 1) continue;
      if (best.weights === null || monitored < best.loss - 1e-6) {
        best.weights?.forEach((t) => t.dispose());
        best = { loss: monitored, epoch, weights: fm.net.getWeights().map((t) => t.clone()) };
      } else if (epoch - best.epoch >= phase.patience) {
        stoppedEarly = true;
        break;
      }
    }
  } finally {
    progress.stop();
    optimizers.forEach((o) => o.dispose());
  }
  if (best.weights) {
    fm.net.setWeights(best.weights);
    best.weights.forEach((t) => t.dispose());
  }
  return { phase: phase.name, epochs: history, bestEpoch: best.epoch, stoppedEarly };
}

/** Class-weighted loss of the model on a feature set, without updating anything. */
export function evaluateLoss(fm: FusionModel, fs: FeatureSet, weights: { pos: number; neg: number }, batchSize = 256): number {
  let sum = 0;
  for (let start = 0; start < fs.n; start += batchSize) {
    const idx = range(start, Math.min(fs.n, start + batchSize));
    const inputs = inputTensors(fm, fs, idx);
    const y = tf.tensor1d(idx.map((i) => fs.labels[i]));
    const w = tf.tensor1d(idx.map((i) => (fs.labels[i] === 1 ? weights.pos : weights.neg)));
    const l = tf.tidy(() => weightedSigmoidCrossEntropy(forwardLogits(fm, inputs, false), y, w));
    sum += l.dataSync()[0] * idx.length;
    tf.dispose([l, y, w, ...inputs]);
  }
  return sum / fs.n;
}
