import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { FusionJoin, LateCombine } from './spec.js';

type Kwargs = Record<string, unknown>;
type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** Configuration of a ModalityFusion layer. */
export interface ModalityFusionConfig extends LayerArgs {
  /** Width of each modality's input block, in input order. */
  readonly sizes: readonly number[];
  readonly join: FusionJoin;
  /** Per-sample, per-modality probability of hiding a modality while training. */
  readonly dropout: number;
  /** Whether the last input is a [batch, modalities] presence mask, appended to the output. */
  readonly masking: boolean;
  readonly seed: number;
}

/**
 * Per-training-step presence mask: the given mask times a Bernoulli(1 - p) keep mask, except that a
 * row whose draws would hide every present modality keeps its mask (a sample with nothing to learn from teaches only the base rate).
 */
function dropoutMask(mask: tf.Tensor2D, p: number, seed: number): tf.Tensor2D {
  return tf.tidy(() => {
    const keep = tf.cast(tf.greaterEqual(tf.randomUniform(mask.shape, 0, 1, 'float32', seed), p), 'float32');
    const dropped = tf.mul(mask, keep);
    const anyLeft = tf.greater(tf.sum(dropped, 1, true), 0);
    return tf.where(tf.tile(anyLeft, [1, mask.shape[1]]), dropped, mask) as tf.Tensor2D;
  });
}

/**
 * Joins per-modality blocks (raw features for early fusion, embeddings for intermediate fusion): zeroes
 * absent or dropped-out modalities, optionally scales each by a sigmoid gate computed from all of them,
 * concatenates, and appends the presence mask so the next layer knows what was missing.
 */
export class ModalityFusion extends tfl.layers.Layer {
  /** Registered class name, used when a saved model is loaded. */
  static readonly className = 'MedtlModalityFusion';
  private readonly cfg: ModalityFusionConfig;
  private gateKernel: tfl.LayerVariable | null = null;
  private gateBias: tfl.LayerVariable | null = null;
  // Advances per training call so each step draws a fresh, reproducible dropout mask.
  private step = 0;

  /** Creates the layer; see ModalityFusionConfig. */
  constructor(config: ModalityFusionConfig) {
    super(config);
    this.cfg = { ...config, sizes: [...config.sizes] };
  }

  /** Creates the gate weights of a gated join. */
  override build(): void {
    if (this.cfg.join === 'gated') {
      const total = this.cfg.sizes.reduce((a, b) => a + b, 0);
      const k = this.cfg.sizes.length;
      this.gateKernel = this.addWeight('gate_kernel', [total, k], 'float32', tfl.initializers.glorotUniform({ seed: this.cfg.seed }));
      // Gates start near sigmoid(1) ~ 0.73: open, so the join begins close to plain concatenation.
      this.gateBias = this.addWeight('gate_bias', [k], 'float32', tfl.initializers.constant({ value: 1 }));
    }
    this.built = true;
  }

  /** Output shape: the concatenated blocks, plus the mask when masking. */
  override computeOutputShape(): tfl.Shape {
    const total = this.cfg.sizes.reduce((a, b) => a + b, 0);
    return [null, total + (this.cfg.masking ? this.cfg.sizes.length : 0)];
  }

  /** Applies masking, dropout, gates and concatenation. */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const k = this.cfg.sizes.length;
      const blocks = list.slice(0, k) as tf.Tensor2D[];
      const b = blocks[0].shape[0];
      let mask: tf.Tensor2D = this.cfg.masking ? (list[k] as tf.Tensor2D) : tf.ones([b, k]);
      if (kwargs['training'] === true && this.cfg.dropout > 0) mask = dropoutMask(mask, this.cfg.dropout, this.cfg.seed + this.step++);
      let parts = blocks.map((x, i) => tf.mul(x, tf.slice(mask, [0, i], [-1, 1])));
      if (this.gateKernel && this.gateBias) {
        const gates = tf.sigmoid(tf.add(tf.matMul(tf.concat(parts, 1), this.gateKernel.read()), this.gateBias.read()));
        parts = parts.map((x, i) => tf.mul(x, tf.slice(gates, [0, i], [-1, 1])));
      }
      if (this.cfg.masking) parts.push(mask);
      return parts.length === 1 ? parts[0] : tf.concat(parts, 1);
    });
  }

  /** Serialisable configuration. */
  override getConfig(): tf.serialization.ConfigDict {
    const { sizes, join, dropout, masking, seed } = this.cfg;
    return { ...super.getConfig(), sizes: [...sizes], join, dropout, masking, seed };
  }
}

/** Configuration of a LateCombine layer. */
export interface LateCombineConfig extends LayerArgs {
  /** Number of per-modality logits. */
  readonly k: number;
  readonly mode: LateCombine;
  readonly dropout: number;
  /** Whether the last input is a [batch, k] presence mask. */
  readonly masking: boolean;
  readonly seed: number;
}

/**
 * Combines per-modality logits into one. `weights`: a softmax-normalised learned weighting renormalised
 * over the modalities present in each row. `stacking`: a linear (logistic-regression) combination whose
 * coefficients are not trained by gradient but fitted afterwards on validation logits (fitLateStacking);
 * until then it averages the logits.
 */
export class LateCombineLayer extends tfl.layers.Layer {
  /** Registered class name, used when a saved model is loaded. */
  static readonly className = 'MedtlLateCombine';
  private readonly cfg: LateCombineConfig;
  private coef: tfl.LayerVariable | null = null;
  private bias: tfl.LayerVariable | null = null;
  private step = 0;

  /** Creates the layer; see LateCombineConfig. */
  constructor(config: LateCombineConfig) {
    super(config);
    this.cfg = { ...config };
  }

  /** Creates the combination weights (trainable only for `weights`). */
  override build(): void {
    const { k, mode } = this.cfg;
    if (mode === 'weights') {
      this.coef = this.addWeight('combine_logits', [k], 'float32', tfl.initializers.zeros());
    } else {
      this.coef = this.addWeight('stack_coef', [k], 'float32', tfl.initializers.constant({ value: 1 / k }), undefined, false);
      this.bias = this.addWeight('stack_bias', [1], 'float32', tfl.initializers.zeros(), undefined, false);
    }
    this.built = true;
  }

  /** Output shape: one logit per row. */
  override computeOutputShape(): tfl.Shape {
    return [null, 1];
  }

  /** Combines the logits of the present modalities. */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const list = Array.isArray(inputs) ? inputs : [inputs];
      const { k } = this.cfg;
      const logits = tf.concat(list.slice(0, k) as tf.Tensor2D[], 1);
      let mask: tf.Tensor2D = this.cfg.masking ? (list[k] as tf.Tensor2D) : tf.onesLike(logits);
      if (kwargs['training'] === true && this.cfg.dropout > 0) mask = dropoutMask(mask, this.cfg.dropout, this.cfg.seed + this.step++);
      if (this.cfg.mode === 'weights') {
        const w = tf.mul(tf.softmax(this.coef!.read()), mask);
        // Renormalised over present modalities; a row with none gets logit 0 (probability 0.5).
        const denom = tf.maximum(tf.sum(w, 1, true), 1e-6);
        return tf.div(tf.sum(tf.mul(w, logits), 1, true), denom);
      }
      return tf.add(tf.sum(tf.mul(tf.mul(logits, mask), this.coef!.read()), 1, true), this.bias!.read());
    });
  }

  /** Serialisable configuration. */
  override getConfig(): tf.serialization.ConfigDict {
    const { k, mode, dropout, masking, seed } = this.cfg;
    return { ...super.getConfig(), k, mode, dropout, masking, seed };
  }
}

tf.serialization.registerClass(ModalityFusion);
tf.serialization.registerClass(LateCombineLayer);
