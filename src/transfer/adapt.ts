import * as tf from '@tensorflow/tfjs-core';
import { inputTensors, type FusionModel } from '../models/fusion.js';
import { ALL_LAYER_GROUPS } from '../models/spec.js';
import type { FeatureSet } from '../preprocess/features.js';
import { trainPhase, type PhaseHistory, type StepContext, type TrainContext, type TrainPhase } from '../train/loop.js';
import { Rng } from '../util/random.js';
import { embed } from './embedding.js';
import { cloneModel } from './model-ops.js';
import { labelBlindStage } from './stage-cache.js';
import { labelledTarget, trainContextOf, unlabelledTargetSamples } from './target-data.js';
import type { TrainedModel, TransferContext } from './types.js';

/** A domain-alignment term on fused embeddings of a source batch and a target batch. */
export interface Aligner {
  /** The alignment loss (already weighted), built inside the gradient tape. */
  loss(source: tf.Tensor2D, target: tf.Tensor2D, step: StepContext): tf.Scalar;
  /** Variables the aligner trains alongside the model (DANN's domain classifier). */
  readonly variables?: readonly tf.Variable[];
  /** Learning rate of `variables` as a multiple of the phase's (1 when absent). */
  readonly learningRateMultiplier?: number;
}

/**
 * Trains the model on labelled source rows with the task loss plus an alignment loss between the
 * embeddings of each source batch and an equally sized random batch of unlabelled target rows.
 * It runs every epoch and keeps the last weights: an adversarial or alignment objective trades the task
 * loss against the alignment term, so no single loss picks the best epoch.
 */
export function adaptModel(fm: FusionModel, source: FeatureSet, target: FeatureSet, aligner: Aligner, phase: TrainPhase, ctx: TrainContext): PhaseHistory {
  if (target.n === 0) throw new Error(`phase '${phase.name}': no unlabelled target rows to align with`);
  const rng = new Rng(`${ctx.seed}:${phase.name}:target-batches`);
  return trainPhase(fm, source, null, phase, ctx, {
    keepLast: true,
    extraVariables: aligner.variables,
    extraLearningRateMultiplier: aligner.learningRateMultiplier,
    extraLoss: (step) => {
      const idx = Array.from({ length: step.indices.length }, () => rng.int(target.n));
      const tIn = inputTensors(fm, target, idx);
      const loss = aligner.loss(embed(fm, step.inputs, true), embed(fm, tIn, true), step);
      // Inputs are plain data (not watched variables), so disposing them here does not disturb the tape.
      tf.dispose(tIn);
      return loss;
    },
  });
}

/**
 * A domain-adaptation strategy's run: adapt a copy of the source model to the target's unlabelled
 * pool, then fine-tune on the target label budget when there is one and `finetune` is set.
 */
export async function runAdaptation(
  ctx: TransferContext,
  name: string,
  makeAligner: (fm: FusionModel) => Aligner & { dispose?(): void },
  opts: { readonly finetune: boolean; readonly epochs?: number },
): Promise<TrainedModel> {
  // Adaptation never reads target labels, so every label budget shares one adapted model.
  const adapted = await labelBlindStage(ctx, `adapt:${name}`, async () => {
    const pretrained = await ctx.pretrained();
    const pre = pretrained.preprocessor;
    const model = cloneModel(pretrained.model, ctx.seed);
    const source = pre.transform(ctx.data.sourceTrain);
    const target = pre.transform(unlabelledTargetSamples(ctx));
    const aligner = makeAligner(model);
    try {
      const phase: TrainPhase = { ...ctx.plan.pretrain, epochs: opts.epochs ?? ctx.plan.finetune.epochs, patience: ctx.plan.finetune.patience, name: `${name} adaptation`, trainable: ALL_LAYER_GROUPS };
      return { model, preprocessor: pre, history: [...pretrained.history, adaptModel(model, source, target, aligner, phase, trainContextOf(ctx))] };
    } finally {
      aligner.dispose?.();
    }
  });
  const pre = adapted.preprocessor;
  const model = cloneModel(adapted.model, ctx.seed);
  const history: PhaseHistory[] = [...adapted.history];
  if (opts.finetune && ctx.data.targetTrain.length > 0) {
    const { train, val } = labelledTarget(ctx, pre);
    history.push(trainPhase(model, train, val, { ...ctx.plan.finetune, name: 'fine-tune all layers', trainable: ALL_LAYER_GROUPS }, trainContextOf(ctx)));
  }
  return { model, preprocessor: pre, history };
}
