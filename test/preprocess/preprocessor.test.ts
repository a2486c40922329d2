import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stratifiedSiteSplit, subjectKey } from '../../src/data/splits.js';
import type { Sample } from '../../src/data/types.js';
import { windowAndResize } from '../../src/preprocess/image.js';
import { FittedPreprocessor, fitPreprocessor } from '../../src/preprocess/preprocessor.js';
import { makeSamples, TEST_SCHEMA } from '../helpers/samples.js';

const spec = { modalities: ['image', 'tabular'] as const, schema: TEST_SCHEMA, image: { window: [-1000, 400] as const, size: 4 } };

test('tabular encoding: standardised numbers, missing flags, one-hot categories', () => {
  const train: Sample[] = [
    { subjectId: '1', siteId: 's', label: 0, tabular: { age: 50, smoker: 0, sex: 'F' } },
    { subjectId: '2', siteId: 's', label: 1, tabular: { age: 70, smoker: 1, sex: 'M' } },
    { subjectId: '3', siteId: 's', label: 1, tabular: { age: null, smoker: 1, sex: null } },
  ];
  const pre = fitPreprocessor(train, { ...spec, modalities: ['tabular'] });
  assert.deepEqual(pre.tabular!.state.featureNames, ['age', 'age__missing', 'smoker', 'smoker__missing', 'sex=F', 'sex=M', 'sex__missing']);
  const sd = Math.sqrt(200);
  const v = pre.tabular!.apply({ age: 80, smoker: null, sex: 'X' });
  assert.ok(Math.abs(v[0] - 20 / sd) < 1e-6);
  assert.equal(v[1], 0);
  // Missing binary fills with the training mean (2/3), which standardises to 0.
  assert.ok(Math.abs(v[2]) < 1e-6);
  assert.equal(v[3], 1);
  assert.deepEqual([...v.slice(4)], [0, 0, 0]);
  assert.throws(() => pre.tabular!.apply({ age: 'old' }), /column 'age': value "old" is not a number/);
});

test('preprocessing is fitted on the training partition only (fails if test data leaks in)', () => {
  const samples = makeSamples({ sites: ['a', 'b'], perSite: 60, seed: 11 });
  const split = stratifiedSiteSplit(samples, { train: 0.6, val: 0.2, test: 0.2 }, 3);
  // Poison val and test: if either reached fit(), the fitted means would move far away.
  const poison = (s: Sample): Sample => ({ ...s, tabular: { ...s.tabular, age: 10_000 }, image: { ...s.image!, data: new Float32Array(s.image!.data.length).fill(400) } });
  const val = split.val.map(poison);
  const testSet = split.test.map(poison);
  const pre = fitPreprocessor(split.train, spec);
  const ages = split.train.map((s) => s.tabular!.age).filter((a): a is number => typeof a === 'number');
  const trainMean = ages.reduce((a, b) => a + b, 0) / ages.length;
  const ageState = pre.tabular!.state.columns.find((c) => c.name === 'age')!;
  assert.ok('mean' in ageState && Math.abs(ageState.mean - trainMean) < 1e-9);
  const leaked = fitPreprocessor([...split.train, ...val, ...testSet], spec);
  const leakedAge = leaked.tabular!.state.columns.find((c) => c.name === 'age')!;
  assert.ok('mean' in leakedAge && leakedAge.mean > trainMean + 100, 'the poisoned data must be detectable');
  let px = 0;
  let count = 0;
  for (const s of split.train) {
    for (const v of windowAndResize(s.image!, [-1000, 400], 4)) {
      px += v;
      count++;
    }
  }
  assert.ok(Math.abs(pre.image!.state.mean - px / count) < 1e-6);
  assert.ok(leaked.image!.state.mean > pre.image!.state.mean + 50);
  assert.deepEqual(pre.fittedOn, split.train.map(subjectKey));
});

test('a fitted preprocessor survives JSON round trip and gives identical features', () => {
  const samples = makeSamples({ sites: ['a'], perSite: 30, seed: 4 });
  const pre = fitPreprocessor(samples.slice(0, 20), spec);
  const back = FittedPreprocessor.fromJSON(JSON.parse(JSON.stringify(pre.toJSON())));
  const a = pre.transform(samples.slice(20));
  const b = back.transform(samples.slice(20));
  assert.deepEqual(a.image!.data, b.image!.data);
  assert.deepEqual(a.tabular!.data, b.tabular!.data);
  assert.deepEqual(a.keys, b.keys);
});

test('image window clips and integer downscale averages blocks', () => {
  const data = new Float32Array([-2000, 0, 100, 100, 0, 0, 100, 100, 500, 500, 0, 0, 500, 500, 0, 0]);
  const out = windowAndResize({ height: 4, width: 4, channels: 1, data }, [-1000, 400], 2);
  assert.deepEqual([...out], [-250, 100, 400, 0]);
});

test('the unrolled 2x2 single-channel downscale gives the same values as the general loop', () => {
  // A two-channel copy of the same image takes the general loop; its first channel must match.
  const h = 12;
  const one = new Float32Array(h * h).map((_, i) => ((i * 7919) % 3001) - 1500.5);
  const two = new Float32Array(2 * h * h);
  one.forEach((v, i) => two.set([v, -v], 2 * i));
  const a = windowAndResize({ height: h, width: h, channels: 1, data: one }, [-1000, 400], 6);
  const b = windowAndResize({ height: h, width: h, channels: 2, data: two }, [-1000, 400], 6);
  assert.deepEqual([...a], [...b].filter((_, i) => i % 2 === 0));
});

test('fit errors name the problem', () => {
  assert.throws(() => fitPreprocessor([], spec), /zero training samples|no training sample has an image/);
  const s = makeSamples({ sites: ['a'], perSite: 2, seed: 1 });
  assert.throws(() => fitPreprocessor(s, { ...spec, image: { window: [10, 0], size: 4 } }), /lo < hi/);
});
