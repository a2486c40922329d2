// Adam whose per-variable update runs as one fused kernel (MedtlAdam) where the backend has it,
// instead of TF.js's eight elementwise kernels and their seven temporaries. The update is
// TF.js's own, bit for bit, and the optimizer state keeps TF.js's layout, so getWeights,
// setWeights and serialisation are unchanged; without the kernel it is plain tf.train.adam.
import * as tf from '@tensorflow/tfjs-core';
import { fusedAdamAvailable, fusedAdamStep, type AdamStepAttrs } from '../compute/index.js';

/** The AdamOptimizer fields TF.js keeps private but this subclass must share. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

/** tf.train.adam with a fused update kernel where the backend registers one. */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  private l2Weight = 0;
  private l2Names = new Set<string>();

  /** Same arguments and defaults as tf.train.adam. */
  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  /** Whether this optimizer can take an L2 penalty's gradient into its step (the fused kernel is there). */
  canFoldL2(): boolean {
    return fusedAdamAvailable();
  }

  /**
   * Adds the gradient of `weight`·Σw² for the named variables inside each step, as if the penalty
   * were part of the loss; the caller leaves it out of the loss. Only where `canFoldL2()`.
   */
  foldL2(names: readonly string[], weight: number): void {
    if (!this.canFoldL2()) throw new Error(`FusedAdamOptimizer: no MedtlAdam kernel on backend '${tf.getBackend()}' to fold an L2 penalty into`);
    this.l2Names = new Set(names);
    this.l2Weight = weight;
  }

  /** Applies one Adam step; fused where the active backend has the MedtlAdam kernel. */
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!fusedAdamAvailable()) {
      super.applyGradients(variableGradients);
      return;
    }
    const s = this as unknown as AdamState;
    const names = Array.isArray(variableGradients) ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
    // TF.js forms 1 − β^t as a float32 subtraction on the backend; the same in JS is exact here.
    const attrs: AdamStepAttrs = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      oneMinusAccBeta1: Math.fround(1 - s.accBeta1.dataSync()[0]),
      oneMinusAccBeta2: Math.fround(1 - s.accBeta2.dataSync()[0]),
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        const step: AdamStepAttrs = this.l2Names.has(name) ? { ...attrs, l2: this.l2Weight } : attrs;
        s.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        s.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (gradient == null) return;
        fusedAdamStep(value, gradient, s.accumulatedFirstMoment[i].variable, s.accumulatedSecondMoment[i].variable, step);
      });
      s.accBeta1.assign(tf.mul(s.accBeta1, this.beta1));
      s.accBeta2.assign(tf.mul(s.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** medtl's Adam: the fused optimizer above, with tf.train.adam's signature. */
export function adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2, epsilon);
}
