import assert from 'node:assert/strict';
import { test } from 'node:test';
import { subjectKey } from '../../../src/data/splits.js';
import type { Sample } from '../../../src/data/types.js';
import { innerContext, innerSplits } from '../../../src/transfer/auto/inner-cv.js';
import { toyContext } from '../context.js';
import { interceptShiftData } from './cohort.js';

const budget = (): Sample[] => {
  const { data } = interceptShiftData(0, 40, 5);
  return [...data.targetTrain, ...data.targetVal];
};
const positives = (xs: readonly Sample[]): number => xs.filter((s) => s.label === 1).length;

test('inner splits are stratified, disjoint, cover the budget once per repeat, and repeat per seed', () => {
  const rows = budget();
  const splits = innerSplits(rows, { folds: 5, repeats: 2 }, 7);
  assert.equal(splits.length, 10);
  const share = positives(rows) / rows.length;
  for (let r = 0; r < 2; r++) {
    const folds = splits.filter((s) => s.id.startsWith(`r${r}f`));
    const held = folds.flatMap((f) => f.held.map(subjectKey));
    // Every subject is held out exactly once per repeat.
    assert.equal(held.length, rows.length);
    assert.equal(new Set(held).size, rows.length);
    for (const f of folds) {
      const fit = new Set(f.fit.map(subjectKey));
      assert.ok(f.held.every((s) => !fit.has(subjectKey(s))), `${f.id}: a held-out subject is also fitted on`);
      assert.equal(f.fit.length + f.held.length, rows.length);
      // Dealing each class round-robin keeps a fold's positives within one of its share of them.
      assert.ok(Math.abs(positives(f.held) - share * f.held.length) <= 1, `${f.id}: ${positives(f.held)} positives of ${f.held.length}, budget share ${share}`);
    }
  }
  const again = innerSplits([...rows].reverse(), { folds: 5, repeats: 2 }, 7);
  assert.deepEqual(again.map((s) => s.held.map(subjectKey)), splits.map((s) => s.held.map(subjectKey)), 'same seed, same folds (whatever the input order)');
  const other = innerSplits(rows, { folds: 5, repeats: 2 }, 8);
  assert.notDeepEqual(other.map((s) => s.held.map(subjectKey)), splits.map((s) => s.held.map(subjectKey)), 'another seed, other folds');
  assert.notDeepEqual(splits[0].held.map(subjectKey), splits[5].held.map(subjectKey), 'repeats draw their own folds');
});

test('folds are capped by the smaller class, and a budget with one subject of a class is refused', () => {
  const rows = budget();
  const twoPositives = [...rows.filter((s) => s.label === 1).slice(0, 2), ...rows.filter((s) => s.label === 0)];
  assert.equal(innerSplits(twoPositives, { folds: 5, repeats: 1 }, 1).length, 2);
  assert.throws(() => innerSplits(twoPositives.slice(1), { folds: 5, repeats: 1 }, 1), /at least 2 labelled subjects of each class/);
});

test("an inner context fits on the split's fitting part only; its held-out fold joins the unlabelled pool without labels", () => {
  const { data } = interceptShiftData(0, 40, 5);
  const ctx = toyContext(data);
  const [split] = innerSplits([...data.targetTrain, ...data.targetVal], { folds: 4, repeats: 1 }, 3);
  for (const mode of ['split', 'none'] as const) {
    const inner = innerContext(ctx, split, mode, undefined);
    const labelled = [...inner.data.targetTrain, ...inner.data.targetVal].map(subjectKey).sort();
    assert.deepEqual(labelled, split.fit.map(subjectKey).sort());
    const heldKeys = new Set(split.held.map(subjectKey));
    const pooled = inner.data.targetUnlabelled.filter((s) => heldKeys.has(subjectKey(s)));
    assert.equal(pooled.length, split.held.length);
    assert.ok(pooled.every((s) => s.label === 0));
    if (mode === 'none') assert.equal(inner.data.targetVal.length, 0);
    // 'split' keeps the outer budget's share of early-stopping rows (12 of 40 here): 30 fitting rows give 9.
    else assert.equal(inner.data.targetVal.length, Math.round(positives(split.fit) * 0.3) + Math.round((split.fit.length - positives(split.fit)) * 0.3));
  }
});
