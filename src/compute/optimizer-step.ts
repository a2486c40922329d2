// The fused optimizer step, the one compute service training uses directly: Adam's per-variable
// update as one kernel (MedtlAdam) where the backend registers it, and the L2 penalty's value
// summed natively when that penalty is folded into the step.
import * as tf from '@tensorflow/tfjs-core';
import { ADAM_KERNEL, nativeAdamStep, nativeSumSquares, type AdamKernelAttrs } from './kernels/native.js';

/** One Adam step's constants: learning rate, betas, epsilon, 1 − β^t and an optional L2 weight. */
export type AdamStepAttrs = AdamKernelAttrs;

/** Whether the active backend runs Adam's update as one fused kernel. */
export function fusedAdamAvailable(): boolean {
  return tf.getKernel(ADAM_KERNEL, tf.getBackend()) !== undefined;
}

/**
 * One fused Adam step: assigns the new weights to `value` and the new moments to `m` and `v`.
 * Call inside tf.tidy; only where `fusedAdamAvailable()`. Moments are updated in place where
 * nothing else holds them (a third of the memory traffic of fresh outputs).
 */
export function fusedAdamStep(value: tf.Variable, gradient: tf.Tensor, m: tf.Variable, v: tf.Variable, attrs: AdamStepAttrs): void {
  const stepped = nativeAdamStep(value, gradient, m, v, attrs);
  if (stepped !== undefined) {
    value.assign(stepped);
    return;
  }
  const [p2, m2, v2] = tf.engine().runKernel(ADAM_KERNEL, { p: value, g: gradient, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  m.assign(m2);
  v.assign(v2);
  value.assign(p2);
}

/** Σx² of a float32 tensor, summed in double by the native kernels; undefined where they are not in use. */
export function kernelSumSquares(x: tf.Tensor): number | undefined {
  return nativeSumSquares(x);
}
