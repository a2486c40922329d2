import { z } from 'zod';
import * as tf from '@tensorflow/tfjs-core';
import { inputTensors, range, type FusionModel } from '../models/fusion.js';
import type { FeatureSet } from '../preprocess/features.js';
import { Rng } from '../util/random.js';
import { runAdaptation, type Aligner } from './adapt.js';
import { dannLambda, gradientReversal } from './domain-losses.js';
import { embed, embeddingWidth } from './embedding.js';
import { weightedSigmoidCrossEntropy } from '../train/loss.js';
import { defineStrategy } from './define.js';
import { ADAPTATION_OPTIONS } from './options.js';

/** A small MLP that tells source (0) from target (1) embeddings; its variables live outside the fusion model. */
export class DomainClassifier {
  readonly variables: tf.Variable[];

  /** Creates seeded weights for embeddings of width `inDim`. */
  constructor(inDim: number, hidden: number, seed: number) {
    const rng = new Rng(`domain-classifier:${seed}`);
    const glorot = (fanIn: number, fanOut: number) => {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      return Float32Array.from({ length: fanIn * fanOut }, () => rng.range(-limit, limit));
    };
    this.variables = [
      tf.variable(tf.tensor2d(glorot(inDim, hidden), [inDim, hidden]), true),
      tf.variable(tf.zeros([hidden]), true),
      tf.variable(tf.tensor2d(glorot(hidden, 1), [hidden, 1]), true),
      tf.variable(tf.zeros([1]), true),
    ];
  }

  /** Domain logits [batch] of embeddings [batch, inDim]. */
  logits(x: tf.Tensor2D): tf.Tensor1D {
    const [w1, b1, w2, b2] = this.variables;
    const h = tf.relu(tf.add(tf.matMul(x, w1), b1));
    return tf.reshape(tf.add(tf.matMul(h as tf.Tensor2D, w2), b2), [-1]) as tf.Tensor1D;
  }

  /** Fraction of rows of both sets classified to their true domain (threshold 0.5), on the model's embeddings. */
  accuracy(fm: FusionModel, source: FeatureSet, target: FeatureSet): number {
    let correct = 0;
    for (const [fs, label] of [
      [source, 0],
      [target, 1],
    ] as const) {
      const inputs = inputTensors(fm, fs, range(0, fs.n));
      const z = tf.tidy(() => this.logits(embed(fm, inputs, false)));
      for (const v of z.dataSync()) correct += (v > 0 ? 1 : 0) === label ? 1 : 0;
      tf.dispose([z, ...inputs]);
    }
    return correct / (source.n + target.n);
  }

  /** Frees the variables. */
  dispose(): void {
    tf.dispose(this.variables);
  }
}

/**
 * Default learning-rate multiplier of the domain classifier. On the shifted toy domains of
 * test/transfer/dann.test.ts (weight 3, 25 epochs) a freshly trained classifier's held-out AUROC was 0.88
 * without reversal; with reversal 0.87 at multiplier 1 and 0.65 at 5 (hidden 64), 0.74 / 0.73 at 5 / 10 (hidden 16).
 */
export const DANN_CLASSIFIER_LR = 5;

/** Sigmoid cross-entropy of domain logits against 0 (source) for the first `ns` rows and 1 (target) for the rest. */
function domainLoss(logits: tf.Tensor1D, ns: number): tf.Scalar {
  const n = logits.shape[0];
  const y = tf.concat([tf.zeros([ns]), tf.ones([n - ns])]);
  return weightedSigmoidCrossEntropy(logits, y as tf.Tensor1D, tf.ones([n]));
}

/**
 * The DANN aligner (Ganin et al. 2016): the domain classifier learns to tell the domains apart while the
 * gradient reversal layer makes the encoders learn to fool it, with λ rising from 0 to 1 over training.
 * The classifier trains at `classifierLr` times the phase's learning rate: at the same rate it lags the
 * encoder, which then only fools that stale classifier, and a fresh one still separates the domains.
 */
export function dannAligner(classifier: DomainClassifier, weight: number, gamma: number, classifierLr = DANN_CLASSIFIER_LR): Aligner {
  return {
    variables: classifier.variables,
    learningRateMultiplier: classifierLr,
    loss(source, target, step) {
      const lambda = dannLambda(step.progress, gamma);
      const both = tf.concat([source, target], 0) as tf.Tensor2D;
      const reversed = gradientReversal(both, lambda) as tf.Tensor2D;
      return tf.mul(domainLoss(classifier.logits(reversed), source.shape[0]), weight) as tf.Scalar;
    },
  };
}

/** Domain adaptation: adversarial alignment of source and unlabelled-target embeddings with a gradient reversal layer. */
export const dann = defineStrategy({
  name: 'dann',
  description: 'pretrain on sources; adapt adversarially (DANN, gradient reversal) to unlabelled target embeddings',
  options: z.strictObject({
    ...ADAPTATION_OPTIONS,
    /** Hidden width of the domain classifier. */
    hidden: z.number().int().positive().default(64),
    /** Learning rate of the domain classifier as a multiple of the adaptation phase's. */
    classifierLr: z.number().positive().default(DANN_CLASSIFIER_LR),
    /** γ of the λ schedule 2/(1+exp(−γp)) − 1. */
    gamma: z.number().positive().default(10),
  }),
  usesSource: true,
  usesPretrained: true,
  async run(ctx, opts) {
    return runAdaptation(
      ctx,
      'DANN',
      (fm) => {
        const classifier = new DomainClassifier(embeddingWidth(fm), opts.hidden, ctx.seed);
        return { ...dannAligner(classifier, opts.weight, opts.gamma, opts.classifierLr), dispose: () => classifier.dispose() };
      },
      opts,
    );
  },
});
