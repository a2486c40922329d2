// The training loss: class- and sample-weighted sigmoid cross-entropy on logits, with its
// gradient written out. Differentiating the stable formula op by op costs about sixteen TF.js
// kernels and ten saved tensors per step; its derivative is w·(σ(x) − y)/n.
import * as tf from '@tensorflow/tfjs-core';

/** Per-sample sigmoid cross-entropy on logits, max(x, 0) − x·y + log(1 + e^−|x|), which never overflows. */
function crossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
}

/** Mean of per-sample weights times sigmoid cross-entropy on logits; its gradient reaches the logits only. */
export function weightedSigmoidCrossEntropy(logits: tf.Tensor1D, labels: tf.Tensor1D, weights: tf.Tensor1D): tf.Scalar {
  if (logits.size !== labels.size || logits.size !== weights.size) {
    throw new Error(`weighted cross-entropy: ${logits.size} logits, ${labels.size} labels and ${weights.size} weights must match`);
  }
  const loss = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    // Labels and weights are saved too: a caller may build them inside the taped function, whose
    // scope disposes them before the backward pass.
    save([x, labels, weights]);
    return {
      value: tf.mean(tf.mul(crossEntropy(x, labels), weights)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, [xs, ys, ws]: tf.Tensor[]) => tf.mul(tf.mul(tf.sub(tf.sigmoid(xs), ys), ws), tf.div(dy, xs.size)),
    };
  });
  return loss(logits) as tf.Scalar;
}
