import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { auroc } from '../../src/evaluate/metrics.js';
import { buildFusionModel, predictProba } from '../../src/models/fusion.js';
import { DEFAULT_MODEL_SPEC } from '../../src/models/spec.js';
import type { FeatureSet } from '../../src/preprocess/features.js';
import { embeddingOf } from '../../src/models/embedding.js';
import { symmetricEigen } from '../../src/transfer/multi-source/eigen.js';
import { logme } from '../../src/transfer/multi-source/logme.js';
import { trainPhase } from '../../src/train/loop.js';
import { Rng } from '../../src/util/random.js';
import { useCpuBackend } from '../helpers/cpu-backend.js';

before(async () => {
  await useCpuBackend();
});

test('the Jacobi eigen-decomposition reconstructs a symmetric matrix', () => {
  const m = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]);
  const { values, vectors } = symmetricEigen(m, 3);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += vectors[i * 3 + k] * values[k] * vectors[j * 3 + k];
      // Jacobi converges to machine precision on a 3x3; 1e-9 leaves room for rounding only.
      assert.ok(Math.abs(s - m[i * 3 + j]) < 1e-9, `(${i},${j}) ${s} vs ${m[i * 3 + j]}`);
    }
  }
});

/** n rows of d features: the first `informative` columns carry the label plus noise, the rest are noise. */
function featuresFor(labels: number[], d: number, informative: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: labels.length * d }, (_, i) => {
    const row = Math.floor(i / d);
    return (i % d < informative ? 2 * labels[row] - 1 : 0) + rng.normal(0, 1);
  });
}

test('LogME is higher for features that carry the label and invariant to rotating them', () => {
  const rng = new Rng(1);
  const labels = Array.from({ length: 120 }, () => (rng.bernoulli(0.5) ? 1 : 0));
  const good = featuresFor(labels, 4, 2, 2);
  const noise = featuresFor(labels, 4, 0, 2);
  assert.ok(logme(good, 120, 4, labels) > logme(noise, 120, 4, labels) + 0.1);
  // A rotation of the feature space changes neither FᵀF's spectrum nor the fit, so the evidence is unchanged.
  const c = Math.cos(0.7);
  const s = Math.sin(0.7);
  const rotated = Float64Array.from(good);
  for (let i = 0; i < 120; i++) {
    const [a, b] = [good[i * 4], good[i * 4 + 1]];
    rotated[i * 4] = c * a - s * b;
    rotated[i * 4 + 1] = s * a + c * b;
  }
  assert.ok(Math.abs(logme(rotated, 120, 4, labels) - logme(good, 120, 4, labels)) < 1e-6);
});

/** Tabular rows whose label is the sign of x[a] + x[b]. */
function concept(n: number, a: number, b: number, seed: number): FeatureSet {
  const rng = new Rng(seed);
  const dim = 6;
  const data = Float32Array.from({ length: n * dim }, () => rng.normal(0, 1));
  const labels = Float32Array.from({ length: n }, (_, i) => (data[i * dim + a] + data[i * dim + b] > 0 ? 1 : 0));
  return { n, labels, keys: Array.from({ length: n }, (_, i) => `s/${i}`), sites: Array.from({ length: n }, () => 's'), tabular: { dim, data } };
}

test('LogME ranks a helpful source model above a harmful one before any target training', (t) => {
  // The target's label depends on x0 + x1. Source A learned that concept; source B learned x2 + x3.
  const target = concept(60, 0, 1, 3);
  const phase = { name: 'src', trainable: ['tabular', 'head'] as const, epochs: 20, batchSize: 32, learningRate: 5e-3, patience: 20, weightDecay: 0, augment: false };
  const models = [concept(300, 0, 1, 1), concept(300, 2, 3, 2)].map((src, i) => {
    const fm = buildFusionModel({ ...DEFAULT_MODEL_SPEC, modalities: ['tabular'], tabularDim: 6 }, 10 + i);
    trainPhase(fm, src, null, phase, { seed: i, balanceClasses: true });
    return fm;
  });
  const scores = models.map((fm) => {
    const e = embeddingOf(fm, target);
    return logme(e.data, target.n, e.dim, target.labels);
  });
  const aucs = models.map((fm) => auroc(target.labels, predictProba(fm, target)));
  t.diagnostic(`LogME helpful ${scores[0].toFixed(4)}, harmful ${scores[1].toFixed(4)}; direct target AUROC ${aucs.map((a) => a.toFixed(3)).join(' / ')}`);
  // The construction is only meaningful if A really transfers and B really does not.
  assert.ok(aucs[0] > 0.85 && aucs[1] < 0.7, `direct AUROCs ${aucs}`);
  assert.ok(scores[0] > scores[1], `LogME ${scores[0]} vs ${scores[1]}`);
  models.forEach((m) => m.net.dispose());
});
