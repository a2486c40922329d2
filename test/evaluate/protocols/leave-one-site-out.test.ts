import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leaveOneSiteOut } from '../../../src/evaluate/protocols/leave-one-site-out.js';
import { makeSamples } from '../../helpers/samples.js';

test('four sites give four folds, each site the target once and the other three its sources', () => {
  const samples = makeSamples({ sites: ['hosp_d', 'hosp_a', 'hosp_c', 'hosp_b'], perSite: 15, seed: 3 });
  const folds = leaveOneSiteOut(samples);
  assert.deepEqual(
    folds.map((f) => f.target),
    ['hosp_a', 'hosp_b', 'hosp_c', 'hosp_d'],
  );
  for (const f of folds) {
    assert.deepEqual(f.sources, ['hosp_a', 'hosp_b', 'hosp_c', 'hosp_d'].filter((s) => s !== f.target));
    assert.equal(f.targetSamples.length, 15);
    assert.equal(f.sourceSamples.length, 45);
    assert.ok(f.targetSamples.every((s) => s.siteId === f.target));
    assert.ok(f.sourceSamples.every((s) => s.siteId !== f.target));
  }
  assert.deepEqual(folds.map((f) => f.index), [0, 1, 2, 3]);
});

test('fewer than two sites is an error naming the count', () => {
  assert.throws(() => leaveOneSiteOut(makeSamples({ sites: ['only'], perSite: 5, seed: 1 })), /at least 2 sites, got 1 \(only\)/);
  assert.throws(() => leaveOneSiteOut([]), /at least 2 sites, got 0/);
});
