import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildFusionModel, type FusionModel } from '../../src/models/fusion.js';
import { DEFAULT_MODEL_SPEC } from '../../src/models/spec.js';
import { adaptModel, type Aligner } from '../../src/transfer/adapt.js';
import { coralLoss, mmdLoss, standardisedCoralLoss } from '../../src/transfer/domain-losses.js';
import { embeddingOf } from '../../src/models/embedding.js';
import type { FeatureSet } from '../../src/preprocess/features.js';
import type { TrainPhase } from '../../src/train/loop.js';
import { shiftedDomain } from './helpers.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

const DIM = 6;
// Target is shifted and stretched, so a source-trained encoder maps it to a visibly different embedding cloud.
const source = shiftedDomain({ n: 160, dim: DIM, shift: 0, scale: 1, seed: 1, site: 'src' });
const target = shiftedDomain({ n: 160, dim: DIM, shift: 1.5, scale: 2, seed: 2, site: 'tgt' });
const PHASE: TrainPhase = { name: 'adapt', trainable: ['tabular', 'head'], epochs: 15, batchSize: 32, learningRate: 5e-3, patience: 100, weightDecay: 0, augment: false };

function freshModel(): FusionModel {
  return buildFusionModel({ ...DEFAULT_MODEL_SPEC, modalities: ['tabular'], tabularDim: DIM }, 3);
}

/** A measured distance between the model's source and target embeddings, computed on all rows at once. */
function embeddingDistance(fm: FusionModel, metric: (s: tf.Tensor2D, t: tf.Tensor2D) => tf.Scalar): number {
  const s = embeddingOf(fm, source);
  const t = embeddingOf(fm, target);
  return tf.tidy(() => metric(tf.tensor2d(s.data, [source.n, s.dim]), tf.tensor2d(t.data, [target.n, t.dim])).dataSync()[0]);
}

/** Trains two identical models on the same batches, one with the alignment loss and one with a zero loss. */
function withAndWithout(aligner: Aligner, metric: (s: tf.Tensor2D, t: tf.Tensor2D) => tf.Scalar): { plain: number; aligned: number; plainModel: FusionModel; alignedModel: FusionModel } {
  const plainModel = freshModel();
  adaptModel(plainModel, source, target, { loss: () => tf.scalar(0) }, PHASE, { seed: 5, balanceClasses: true });
  const alignedModel = freshModel();
  adaptModel(alignedModel, source, target, aligner, PHASE, { seed: 5, balanceClasses: true });
  return { plain: embeddingDistance(plainModel, metric), aligned: embeddingDistance(alignedModel, metric), plainModel, alignedModel };
}

function accuracy(fm: FusionModel, fs: FeatureSet): number {
  const p = tf.tidy(() => tf.sigmoid(fm.net.predict(tf.tensor2d(fs.tabular!.data, [fs.n, DIM])) as tf.Tensor).dataSync());
  let ok = 0;
  p.forEach((v, i) => (ok += (v >= 0.5 ? 1 : 0) === fs.labels[i] ? 1 : 0));
  return ok / fs.n;
}

/**
 * CORAL distance after standardising every embedding dimension by the pooled (source + target) mean and SD:
 * a scale-free measure, so shrinking all embeddings toward 0 leaves it unchanged while aligning covariances lowers it.
 */
function standardisedCoral(s: tf.Tensor2D, t: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const all = tf.concat([s, t], 0);
    const { mean, variance } = tf.moments(all, 0, true);
    const sd = tf.add(tf.sqrt(variance), 1e-6);
    return coralLoss(tf.div(tf.sub(s, mean), sd) as tf.Tensor2D, tf.div(tf.sub(t, mean), sd) as tf.Tensor2D);
  });
}

/** A penalty that only shrinks both domains' embeddings toward 0 (mean squared norm): it aligns nothing. */
const shrinkOnly: Aligner = { loss: (s, tt) => tf.mul(tf.add(tf.mean(tf.square(s)), tf.mean(tf.square(tt))), 1) as tf.Scalar };

test('CORAL loss reduces a scale-free CORAL distance (standardised embeddings); a shrink-only penalty does not', (t) => {
  const r = withAndWithout({ loss: (s, tt) => tf.mul(standardisedCoralLoss(s, tt), 10) as tf.Scalar }, standardisedCoral);
  const shrink = withAndWithout(shrinkOnly, standardisedCoral);
  const shrinkRaw = withAndWithout(shrinkOnly, coralLoss);
  t.diagnostic(`standardised CORAL distance: no loss ${r.plain.toExponential(3)}, CORAL ${r.aligned.toExponential(3)}, shrink-only ${shrink.aligned.toExponential(3)}`);
  t.diagnostic(`raw CORAL distance: no loss ${shrinkRaw.plain.toExponential(3)}, shrink-only ${shrinkRaw.aligned.toExponential(3)}`);
  // Halving is a clear effect well beyond seed-to-seed wobble of the same training without the loss.
  assert.ok(r.aligned < 0.5 * r.plain, `standardised CORAL distance with loss ${r.aligned} vs without ${r.plain}`);
  // Negative control: shrinking alone must not pass the same bar on the scale-free distance.
  assert.ok(shrink.aligned > 0.5 * shrink.plain, `shrink-only ${shrink.aligned} vs without ${shrink.plain}`);
  // Alignment must not buy its distance by destroying the task: source accuracy stays well above chance.
  assert.ok(accuracy(r.alignedModel, source) > 0.8, `source accuracy ${accuracy(r.alignedModel, source)}`);
  for (const m of [r, shrink, shrinkRaw]) [m.plainModel, m.alignedModel].forEach((fm) => fm.net.dispose());
});

test('multi-kernel MMD loss reduces the MMD between source and target embeddings', (t) => {
  const r = withAndWithout({ loss: (s, tt) => mmdLoss(s, tt) }, (s, tt) => mmdLoss(s, tt));
  t.diagnostic(`MMD without the loss ${r.plain.toExponential(3)}, with it ${r.aligned.toExponential(3)}`);
  assert.ok(r.aligned < 0.5 * r.plain, `MMD with loss ${r.aligned} vs without ${r.plain}`);
  assert.ok(accuracy(r.alignedModel, source) > 0.8, `source accuracy ${accuracy(r.alignedModel, source)}`);
  r.plainModel.net.dispose();
  r.alignedModel.net.dispose();
});

test('CORAL and MMD are zero for identical samples and positive for shifted ones', () => {
  const a = tf.tensor2d([0, 1, 2, 3, 1, 0, 3, 3, 2, 2, 0, 1], [4, 3]);
  const b = tf.add(tf.mul(a, 3), 5) as tf.Tensor2D;
  assert.ok(Math.abs(coralLoss(a, a).dataSync()[0]) < 1e-6);
  assert.ok(Math.abs(mmdLoss(a, a).dataSync()[0]) < 1e-6);
  assert.ok(coralLoss(a, b).dataSync()[0] > 0.1);
  assert.ok(mmdLoss(a, b).dataSync()[0] > 0.1);
  tf.dispose([a, b]);
});
