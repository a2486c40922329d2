import * as tf from '@tensorflow/tfjs-core';

/** Covariance matrix [d, d] of the rows of x (unbiased). */
function covariance(x: tf.Tensor2D): tf.Tensor2D {
  const n = x.shape[0];
  const centred = tf.sub(x, tf.mean(x, 0, true));
  return tf.div(tf.matMul(centred, centred, true, false), Math.max(n - 1, 1)) as tf.Tensor2D;
}

/** Deep CORAL loss (Sun & Saenko 2016): squared Frobenius distance of the two covariances, over 4d². */
export function coralLoss(source: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const d = source.shape[1];
    const diff = tf.sub(covariance(source), covariance(target));
    return tf.div(tf.sum(tf.square(diff)), 4 * d * d) as tf.Scalar;
  });
}

/**
 * The CORAL loss of both batches standardised per dimension by their pooled mean and SD. Raw CORAL can be
 * lowered by shrinking every embedding toward 0, which aligns nothing; this one is unchanged by any
 * common rescaling, so only matching the domains' covariance shapes and relative spreads lowers it.
 */
export function standardisedCoralLoss(source: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(tf.concat([source, target], 0), 0, true);
    const sd = tf.sqrt(tf.add(variance, 1e-6));
    return coralLoss(tf.div(tf.sub(source, mean), sd) as tf.Tensor2D, tf.div(tf.sub(target, mean), sd) as tf.Tensor2D);
  });
}

/** Squared Euclidean distances between the rows of a [n, d] and b [m, d]. */
function squaredDistances(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const aa = tf.sum(tf.square(a), 1, true);
  const bb = tf.sum(tf.square(b), 1, true);
  return tf.relu(tf.add(tf.sub(aa, tf.mul(2, tf.matMul(a, b, false, true))), tf.transpose(bb))) as tf.Tensor2D;
}

/** Bandwidth multipliers of the multi-kernel MMD, around the median heuristic (as in Long et al. 2015). */
export const MMD_BANDWIDTH_FACTORS: readonly number[] = [0.25, 0.5, 1, 2, 4];

/**
 * Biased MMD² between two samples under a sum of Gaussian kernels exp(−‖x−y‖²/(2σ²)), with σ² set to
 * the median pairwise squared distance (read as a constant, not differentiated) times each factor.
 */
export function mmdLoss(source: tf.Tensor2D, target: tf.Tensor2D, factors: readonly number[] = MMD_BANDWIDTH_FACTORS): tf.Scalar {
  return tf.tidy(() => {
    const all = tf.concat([source, target], 0) as tf.Tensor2D;
    const d2 = squaredDistances(all, all);
    const values = Array.from(d2.dataSync()).filter((v) => v > 0).sort((a, b) => a - b);
    const median = values.length ? values[Math.floor(values.length / 2)] : 1;
    const ns = source.shape[0];
    const kernel = tf.addN(factors.map((f) => tf.exp(tf.div(d2, -2 * Math.max(median * f, 1e-8)))));
    const n = all.shape[0];
    const kss = tf.slice(kernel, [0, 0], [ns, ns]);
    const ktt = tf.slice(kernel, [ns, ns], [n - ns, n - ns]);
    const kst = tf.slice(kernel, [0, ns], [ns, n - ns]);
    const mmd = tf.sub(tf.add(tf.mean(kss), tf.mean(ktt)), tf.mul(2, tf.mean(kst)));
    return tf.div(mmd, factors.length) as tf.Scalar;
  });
}

/** A gradient reversal layer: identity forward, gradient multiplied by −λ backward (Ganin & Lempitsky 2015). */
export function gradientReversal(x: tf.Tensor, lambda: number): tf.Tensor {
  const reverse = tf.customGrad(((input: tf.Tensor) => ({
    value: tf.clone(input),
    gradFunc: (dy: tf.Tensor) => tf.mul(dy, -lambda),
  })) as Parameters<typeof tf.customGrad>[0]);
  return reverse(x);
}

/** The DANN adaptation factor λ_p = 2 / (1 + exp(−γ p)) − 1 at training progress p ∈ [0, 1] (Ganin et al. 2016, γ = 10). */
export function dannLambda(progress: number, gamma = 10): number {
  return 2 / (1 + Math.exp(-gamma * progress)) - 1;
}
