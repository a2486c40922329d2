import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, parseExperiment } from '../../src/config/experiment.js';
import { auroc } from '../../src/evaluate/metrics.js';
import { foldComparisons, poolFolds, referenceMethods } from '../../src/pipeline/comparisons.js';
import type { FoldResult, MethodPredictions } from '../../src/record/types.js';
import { Rng } from '../../src/util/random.js';

/** Scores whose AUROC rises with `signal`: label plus noise. */
function preds(fold: string, method: string, labels: Float32Array, signal: number, rng: Rng): MethodPredictions {
  return { fold, method, keys: Array.from(labels, (_, i) => `t/${i}`), labels, scores: Float32Array.from(labels, (y) => signal * y + rng.normal()) };
}

test('a "better of" reference resolves per fold to the member with the higher target-test AUROC', () => {
  const rng = new Rng(1);
  const labels = Float32Array.from({ length: 200 }, (_, i) => i % 2);
  // Fold 1: source_only is the stronger baseline; fold 2: source_only_logistic is.
  const folds = [
    { id: 'f1', a: 2, b: 0.5 },
    { id: 'f2', a: 0.5, b: 2 },
  ].map(({ id, a, b }) => [preds(id, 'source_only', labels, a, rng), preds(id, 'source_only_logistic', labels, b, rng), preds(id, 'transfer', labels, 1, rng)]);
  const group = { name: 'best_source', members: ['source_only', 'source_only_logistic'] };
  const [c1, c2] = folds.map((p) => foldComparisons(p, [group], 50, 3).find((c) => c.method === 'transfer')!);
  assert.equal(c1.resolved, 'source_only');
  assert.equal(c2.resolved, 'source_only_logistic');
  folds.forEach((p, f) => {
    const best = Math.max(auroc(labels, p[0].scores), auroc(labels, p[1].scores));
    const c = [c1, c2][f];
    // The same AUROCs computed twice: exact up to float rounding.
    assert.ok(Math.abs(c.delta.difference - (auroc(labels, p[2].scores) - best)) < 1e-12, `fold ${f}`);
  });
  // Members are compared with the group as well: the resolved member against itself is 0.
  assert.equal(foldComparisons(folds[0], [group], 50, 3).find((c) => c.method === 'source_only')!.delta.difference, 0);
  const pooled = poolFolds(folds.map((p, f) => ({ id: `f${f + 1}`, methods: p.map((m) => ({ method: m.method, strategy: m.method, evaluation: { auroc: auroc(labels, m.scores) } })), comparisons: foldComparisons(p, [group], 50, 3) }) as unknown as FoldResult));
  assert.equal(pooled.comparisons.find((c) => c.method === 'transfer')!.delta.n, 2);
});

test('default references: best_source and best_target_only groups replace their members; an embedding logistic is not target-only', () => {
  const cfg = parseExperiment({
    methods: [
      { name: 'source_only', strategy: 'source_only', modalities: ['tabular'] },
      { name: 'lr_src', strategy: 'source_only_logistic', modalities: ['tabular'] },
      { name: 'target_only', strategy: 'target_only', modalities: ['tabular'] },
      { name: 'lr_tgt', strategy: 'target_only_logistic', modalities: ['tabular'] },
      { name: 'lr_emb', strategy: 'target_only_logistic', modalities: ['image', 'tabular'], options: { features: 'both' } },
      { name: 'transfer', strategy: 'full_finetune', modalities: ['tabular'] },
    ],
  });
  assert.deepEqual(referenceMethods(cfg), [
    { name: 'best_source', members: ['source_only', 'lr_src'] },
    { name: 'best_target_only', members: ['target_only', 'lr_tgt'] },
  ]);
  const plain = parseExperiment({ methods: [{ name: 'source_only', strategy: 'source_only', modalities: ['tabular'] }, { name: 't', strategy: 'full_finetune', modalities: ['tabular'] }] });
  assert.deepEqual(referenceMethods(plain), [{ name: 'source_only', members: ['source_only'] }]);
  const lone = parseExperiment({ methods: [{ name: 'lr', strategy: 'source_only_logistic', modalities: ['tabular'] }, { name: 't', strategy: 'full_finetune', modalities: ['tabular'] }] });
  assert.deepEqual(referenceMethods(lone), [{ name: 'lr', members: ['lr'] }]);
});

test('evaluation.references groups are checked: members must be methods, the name must not be one', () => {
  const methods = [
    { name: 'a', strategy: 'source_only', modalities: ['tabular'] },
    { name: 'b', strategy: 'source_only_logistic', modalities: ['tabular'] },
  ];
  const cfg = parseExperiment({ methods, evaluation: { references: ['a', { name: 'best', bestOf: ['a', 'b'] }] } });
  assert.deepEqual(referenceMethods(cfg), [{ name: 'a', members: ['a'] }, { name: 'best', members: ['a', 'b'] }]);
  assert.throws(() => parseExperiment({ methods, evaluation: { references: [{ name: 'best', bestOf: ['a', 'c'] }] } }), (e: unknown) => e instanceof ConfigError && /evaluation\.references\.0\.bestOf \(group 'best'\): 'c' is not a configured method/.test(e.message));
  assert.throws(() => parseExperiment({ methods, evaluation: { references: [{ name: 'a', bestOf: ['a', 'b'] }] } }), /evaluation\.references\.0\.name: 'a' is a method's name/);
});
