import assert from 'node:assert/strict';
import { test } from 'node:test';
import { subjectKey } from '../../../src/data/splits.js';
import type { Sample } from '../../../src/data/types.js';
import { labelBudgetCurve, type LabelBudget } from '../../../src/evaluate/protocols/label-budget-curve.js';
import { makeSamples } from '../../helpers/samples.js';

const pool = makeSamples({ sites: ['t'], perSite: 120, seed: 8 });
const keys = (xs: readonly Sample[]) => new Set(xs.map(subjectKey));
const positives = (xs: readonly Sample[]) => xs.filter((s) => s.label === 1).length;
const fractions: LabelBudget[] = [0, 0.1, 0.25, 0.5, 1].map((fraction) => ({ fraction }));

test('fraction budgets give nested subsets of the right sizes; budget 0 is unsupervised', () => {
  const curve = labelBudgetCurve(pool, fractions, 5);
  assert.deepEqual(curve.map((p) => p.size), [0, 12, 30, 60, 120]);
  assert.equal(curve[0].unsupervised, true);
  assert.equal(curve[0].labelled.length, 0);
  assert.equal(curve[0].unlabelled.length, pool.length);
  for (let i = 0; i < curve.length; i++) {
    const p = curve[i];
    assert.equal(p.labelled.length, p.size);
    assert.equal(p.labelled.length + p.unlabelled.length, pool.length);
    const lab = keys(p.labelled);
    assert.ok(p.unlabelled.every((s) => !lab.has(subjectKey(s))));
    if (i > 0) {
      const smaller = keys(curve[i - 1].labelled);
      assert.ok([...smaller].every((k) => lab.has(k)), `budget ${i - 1} is not inside budget ${i}`);
    }
  }
});

test('every budget is stratified: positives within one of the pool share, both classes from budget 2', () => {
  const share = positives(pool) / pool.length;
  const counts: LabelBudget[] = Array.from({ length: 121 }, (_, count) => ({ count }));
  const curve = labelBudgetCurve(pool, counts, 9);
  let prev = new Set<string>();
  for (const p of curve) {
    const nPos = positives(p.labelled);
    if (p.size >= 2) {
      assert.ok(nPos >= 1 && nPos <= p.size - 1, `size ${p.size}: ${nPos} positives`);
      assert.ok(Math.abs(nPos - p.size * share) <= 1, `size ${p.size}: ${nPos} positives vs ${p.size * share}`);
    }
    const lab = keys(p.labelled);
    assert.ok([...prev].every((k) => lab.has(k)), `size ${p.size} does not contain size ${p.size - 1}`);
    prev = lab;
  }
});

test('nesting holds with a rare class and mixed count/fraction budgets in any order', () => {
  // 3 positives in 40: the minimum of one positive must not break nesting or overrun the class.
  const rare = makeSamples({ sites: ['r'], perSite: 200, seed: 4 });
  const pos = rare.filter((s) => s.label === 1).slice(0, 3);
  const small = [...pos, ...rare.filter((s) => s.label === 0).slice(0, 37)];
  const curve = labelBudgetCurve(small, [{ fraction: 1 }, { count: 2 }, { count: 0 }, { fraction: 0.5 }, { count: 5 }, { count: 39 }], 2);
  const bySize = [...curve].sort((a, b) => a.size - b.size);
  for (let i = 1; i < bySize.length; i++) {
    const lab = keys(bySize[i].labelled);
    assert.ok([...keys(bySize[i - 1].labelled)].every((k) => lab.has(k)));
  }
  assert.equal(positives(curve[1].labelled), 1);
  assert.equal(positives(curve[5].labelled), 3);
  assert.equal(positives(curve[5].unlabelled), 0);
});

test('deterministic under a seed, different under another', () => {
  const a = labelBudgetCurve(pool, fractions, 1).map((p) => [...keys(p.labelled)].sort());
  const b = labelBudgetCurve([...pool].reverse(), fractions, 1).map((p) => [...keys(p.labelled)].sort());
  const c = labelBudgetCurve(pool, fractions, 2).map((p) => [...keys(p.labelled)].sort());
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('budgets count subjects, keeping all samples of a subject together', () => {
  const twice = [...pool, ...pool.slice(0, 30)];
  const [p] = labelBudgetCurve(twice, [{ count: 60 }], 3);
  assert.equal(keys(p.labelled).size, 60);
  const lab = keys(p.labelled);
  assert.equal(p.labelled.length, twice.filter((s) => lab.has(subjectKey(s))).length);
});

test('a bad budget is rejected by name', () => {
  assert.throws(() => labelBudgetCurve(pool, [{ fraction: 0.5 }, { fraction: 1.5 }], 1), /label budget fraction 1.5 must be in \[0, 1\]/);
  assert.throws(() => labelBudgetCurve(pool, [{ fraction: -0.1 }], 1), /fraction -0.1/);
  assert.throws(() => labelBudgetCurve(pool, [{ count: 2.5 }], 1), /label budget count 2.5 must be a non-negative integer/);
  assert.throws(() => labelBudgetCurve(pool, [{ count: 121 }], 1), /label budget count 121 exceeds the 120 subjects of the pool/);
  assert.throws(() => labelBudgetCurve(pool, [], 1), /at least one budget/);
});
