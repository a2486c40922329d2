import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stratifiedSiteSplit, subjectKey } from '../../../src/data/splits.js';
import type { Sample } from '../../../src/data/types.js';
import { groupedStratifiedKFold } from '../../../src/evaluate/protocols/grouped-kfold.js';
import { groupSubjects } from '../../../src/evaluate/protocols/subjects.js';
import { holdOut } from '../../../src/evaluate/protocols/hold-out.js';
import { makeSamples } from '../../helpers/samples.js';

// Three sites; every fourth subject has a second study (labelled positive), which must follow the first.
const base = makeSamples({ sites: ['a', 'b', 'c'], perSite: 70, seed: 11 });
const samples: Sample[] = [...base, ...base.filter((_, i) => i % 4 === 0).map((s) => ({ ...s, label: 1 as const }))];
const subjects = groupSubjects(samples);
const keys = (xs: readonly Sample[]) => [...new Set(xs.map(subjectKey))].sort();
const prevalence = (xs: readonly Sample[]) => {
  const g = groupSubjects(xs);
  return g.filter((s) => s.label === 1).length / g.length;
};

test('every subject is tested exactly once, never in two test folds, and never in its own training set', () => {
  const folds = groupedStratifiedKFold(samples, 5, 3);
  assert.equal(folds.length, 5);
  const tested = new Map<string, number>();
  for (const f of folds) {
    for (const k of keys(f.test)) {
      assert.equal(tested.get(k), undefined, `${k} is in test folds ${tested.get(k)} and ${f.index}`);
      tested.set(k, f.index);
    }
    const train = new Set(keys(f.train));
    assert.ok(keys(f.test).every((k) => !train.has(k)));
    // Every sample is in exactly one of train and test in each fold.
    assert.equal(f.train.length + f.test.length, samples.length);
  }
  assert.deepEqual([...tested.keys()].sort(), subjects.map((s) => s.key));
  // All of a subject's samples sit in one test fold.
  const testSamples = folds.reduce((n, f) => n + f.test.length, 0);
  assert.equal(testSamples, samples.length);
});

test('per-fold prevalence is within 1 / n_fold of the overall, and fold sizes differ by at most one', () => {
  // Each class is dealt round-robin, so fold f holds P/k + a positives and N/k + b negatives with
  // |a|, |b| < 1; then |p_f - p| = |aN - bP| / (n n_f) < 1 / n_f (subject level).
  const p = prevalence(samples);
  for (const k of [2, 3, 5, 10]) {
    const folds = groupedStratifiedKFold(samples, k, 7);
    const sizes = folds.map((f) => keys(f.test).length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `k=${k} sizes ${sizes}`);
    for (const f of folds) {
      const nf = keys(f.test).length;
      assert.ok(Math.abs(prevalence(f.test) - p) < 1 / nf, `k=${k} fold ${f.index}: ${prevalence(f.test)} vs ${p}`);
      // Sites are stratified too: each site's subjects per fold within one of site/k per class.
      for (const site of ['a', 'b', 'c']) {
        for (const label of [0, 1]) {
          const nAll = subjects.filter((s) => s.site === site && s.label === label).length;
          const nFold = groupSubjects(f.test).filter((s) => s.site === site && s.label === label).length;
          assert.ok(Math.abs(nFold - nAll / k) < 1, `k=${k} fold ${f.index} site ${site} label ${label}`);
        }
      }
    }
  }
});

test('deterministic under a seed and independent of input order; another seed gives other folds', () => {
  const f1 = groupedStratifiedKFold(samples, 4, 21).map((f) => keys(f.test));
  const f2 = groupedStratifiedKFold([...samples].reverse(), 4, 21).map((f) => keys(f.test));
  assert.deepEqual(f1, f2);
  const f3 = groupedStratifiedKFold(samples, 4, 22).map((f) => keys(f.test));
  assert.notDeepEqual(f1, f3);
});

test('a validation fraction is carved from training subjects only, stratified', () => {
  const folds = groupedStratifiedKFold(samples, 4, 5, { valFraction: 0.25 });
  for (const f of folds) {
    const test_ = new Set(keys(f.test));
    const train = new Set(keys(f.train));
    const val = keys(f.val);
    assert.ok(val.length > 0);
    assert.ok(val.every((k) => !test_.has(k) && !train.has(k)));
    assert.equal(f.train.length + f.val.length + f.test.length, samples.length);
    const nTrainAll = train.size + val.length;
    // Rounded per (label, site) stratum: 6 strata, so within 3 subjects of a quarter.
    assert.ok(Math.abs(val.length - 0.25 * nTrainAll) <= 3, `${val.length} of ${nTrainAll}`);
    assert.ok(groupSubjects(f.val).some((s) => s.label === 1) && groupSubjects(f.val).some((s) => s.label === 0));
  }
  assert.throws(() => groupedStratifiedKFold(samples, 4, 5, { valFraction: 1 }), /validation fraction must be in \[0, 1\), got 1/);
});

test('bad k is rejected with a clear message', () => {
  assert.throws(() => groupedStratifiedKFold(samples, 1, 1), /integer k >= 2, got k=1/);
  assert.throws(() => groupedStratifiedKFold(samples, 2.5, 1), /got k=2.5/);
  const few = makeSamples({ sites: ['a'], perSite: 40, seed: 2 });
  const nPos = groupSubjects(few).filter((s) => s.label === 1).length;
  const nNeg = few.length - nPos;
  const minority = Math.min(nPos, nNeg);
  const minorityLabel = nPos < nNeg ? 1 : 0;
  assert.throws(
    () => groupedStratifiedKFold(few, minority + 1, 1),
    new RegExp(`k=${minority + 1} exceeds the ${minority} subjects with label ${minorityLabel}`),
  );
  assert.equal(groupedStratifiedKFold(few, minority, 1).length, minority);
  const single = few.filter((s) => s.label === 0);
  assert.throws(() => groupedStratifiedKFold(single, 2, 1), /exceeds the 0 subjects with label 1/);
});

test('holdOut is one fold equal to stratifiedSiteSplit', () => {
  const folds = holdOut(samples, { train: 0.6, val: 0.2, test: 0.2 }, 4);
  assert.equal(folds.length, 1);
  assert.equal(folds[0].index, 0);
  assert.equal(folds[0].train.length + folds[0].val.length + folds[0].test.length, samples.length);
  const split = stratifiedSiteSplit(samples, { train: 0.6, val: 0.2, test: 0.2 }, 4);
  for (const part of ['train', 'val', 'test'] as const) assert.deepEqual(keys(folds[0][part]), keys(split[part]));
  assert.throws(() => holdOut(samples, { train: 0.6, val: 0.2, test: 0.3 }, 4), /sum to 1/);
});
