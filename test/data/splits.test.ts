import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertDisjointSubjects, stratifiedSiteSplit, subjectKey, takeLabelBudget } from '../../src/data/splits.js';
import type { Sample } from '../../src/data/types.js';
import { makeSamples } from '../helpers/samples.js';

const fractions = { train: 0.6, val: 0.2, test: 0.2 };

test('no patient is in two partitions, even with several samples per patient', () => {
  const base = makeSamples({ sites: ['a', 'b', 'c'], perSite: 80, seed: 1 });
  // Every third subject has a second study, which must follow the first into the same partition.
  const withRepeats: Sample[] = [...base, ...base.filter((_, i) => i % 3 === 0).map((s) => ({ ...s, label: 1 as const }))];
  const split = stratifiedSiteSplit(withRepeats, fractions, 5);
  assertDisjointSubjects(split);
  const parts = new Map<string, string>();
  for (const part of ['train', 'val', 'test'] as const) {
    for (const s of split[part]) {
      const prev = parts.get(subjectKey(s));
      assert.ok(prev === undefined || prev === part, `${subjectKey(s)} in ${prev} and ${part}`);
      parts.set(subjectKey(s), part);
    }
  }
  assert.equal(split.train.length + split.val.length + split.test.length, withRepeats.length);
});

test('assertDisjointSubjects catches a leak', () => {
  const s = makeSamples({ sites: ['a'], perSite: 4, seed: 1 });
  assert.throws(() => assertDisjointSubjects({ train: [s[0], s[1]], val: [s[2]], test: [s[0]] }), /a\/p0000 is in both train and test/);
});

test('split is stratified per site and label, and deterministic under a seed', () => {
  const samples = makeSamples({ sites: ['a', 'b'], perSite: 200, seed: 2 });
  const s1 = stratifiedSiteSplit(samples, fractions, 9);
  const s2 = stratifiedSiteSplit([...samples].reverse(), fractions, 9);
  assert.deepEqual(s1.test.map(subjectKey).sort(), s2.test.map(subjectKey).sort());
  const s3 = stratifiedSiteSplit(samples, fractions, 10);
  assert.notDeepEqual(s1.test.map(subjectKey).sort(), s3.test.map(subjectKey).sort());
  for (const site of ['a', 'b']) {
    const all = samples.filter((s) => s.siteId === site);
    const test_ = s1.test.filter((s) => s.siteId === site);
    const prev = (xs: Sample[]) => xs.filter((s) => s.label === 1).length / xs.length;
    // Each stratum is rounded separately, so the test prevalence is within one subject per class of the site's.
    assert.ok(Math.abs(prev(test_) - prev(all)) < 2 / test_.length + 1e-9);
    assert.ok(Math.abs(test_.length - 0.2 * all.length) <= 1);
  }
});

test('bad fractions are rejected with the values', () => {
  assert.throws(() => stratifiedSiteSplit([], { train: 0.5, val: 0.2, test: 0.2 }, 1), /sum to 1.*train=0.5/);
});

test('label budget takes both classes and leaves the rest unlabelled', () => {
  const pool = makeSamples({ sites: ['t'], perSite: 100, seed: 3 });
  const { labelled, unlabelled } = takeLabelBudget(pool, 10, 4);
  assert.equal(labelled.length, 10);
  assert.equal(unlabelled.length, 90);
  assert.ok(labelled.some((s) => s.label === 1) && labelled.some((s) => s.label === 0));
  const keys = new Set(labelled.map(subjectKey));
  assert.ok(unlabelled.every((s) => !keys.has(subjectKey(s))));
  assert.throws(() => takeLabelBudget(pool, 101, 1), /exceeds the 100 target training subjects/);
  assert.throws(() => takeLabelBudget(pool, 2.5, 1), /non-negative integer/);
});
