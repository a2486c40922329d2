import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../../src/data/types.js';
import { budgetCurveData } from '../../src/pipeline/budget-curve.js';
import type { TransferData } from '../../src/transfer/types.js';

const sample = (site: string, id: number, label: 0 | 1): Sample => ({ subjectId: `s${id}`, siteId: site, label });

test('budgetCurveData: nested, label-stratified budgets from the target pool, sources untouched', () => {
  const target = Array.from({ length: 60 }, (_, i) => sample('t', i, i % 3 === 0 ? 1 : 0));
  const transfer: TransferData = {
    sourceTrain: [sample('a', 1, 0)],
    sourceVal: [sample('a', 2, 1)],
    targetTrain: target.slice(0, 14),
    targetVal: target.slice(14, 20),
    targetUnlabelled: target.slice(20),
  };
  const out = budgetCurveData(transfer, [10, 30], 0.3, { subsets: 5, validation: 6 });
  assert.deepEqual(out.map((b) => b.budget), [10, 30]);
  const ids = (xs: readonly Sample[]) => new Set(xs.map((s) => s.subjectId));
  for (const b of out) {
    const d = b.data;
    assert.equal(d.sourceTrain, transfer.sourceTrain);
    assert.equal(d.sourceVal, transfer.sourceVal);
    assert.equal(d.targetTrain.length + d.targetVal.length, b.budget);
    assert.equal(d.targetVal.length, Math.round(b.budget * 0.3));
    assert.equal(d.targetTrain.length + d.targetVal.length + d.targetUnlabelled.length, 60, 'every pool subject is in exactly one part');
    // A third of the pool is positive; the labelled set keeps that share (rounded) and both classes in validation.
    assert.equal([...d.targetTrain, ...d.targetVal].filter((s) => s.label === 1).length, Math.round(b.budget / 3));
    assert.ok(d.targetVal.some((s) => s.label === 1) && d.targetVal.some((s) => s.label === 0));
  }
  const small = ids([...out[0].data.targetTrain, ...out[0].data.targetVal]);
  const large = ids([...out[1].data.targetTrain, ...out[1].data.targetVal]);
  for (const id of small) assert.ok(large.has(id), `${id}: a larger budget holds every subject of a smaller one`);
  assert.throws(() => budgetCurveData(transfer, [61], 0.3, { subsets: 5, validation: 6 }), /label budget count 61 exceeds the 60 subjects of the pool/);
});
