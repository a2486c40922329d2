import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitTabular, FittedTabular } from '../../src/preprocess/tabular.js';
import { fitPreprocessor } from '../../src/preprocess/preprocessor.js';
import { makeSamples, TEST_SCHEMA } from '../helpers/samples.js';

const samples = makeSamples({ sites: ['a'], perSite: 20, seed: 9 });

test('embedding mode takes categorical columns out of the float vector and encodes them as indices', () => {
  const onehot = fitTabular(samples, TEST_SCHEMA);
  const emb = fitTabular(samples, TEST_SCHEMA, 'embedding');
  // sex has 2 categories + a missing flag in one-hot; those 3 floats leave the vector.
  assert.equal(onehot.dim - emb.dim, 3);
  assert.deepEqual(emb.cardinalities, [3]);
  const out = new Int32Array(3);
  emb.indicesInto({ age: 50, smoker: 0, sex: 'F' }, out, 0);
  emb.indicesInto({ age: 50, smoker: 0, sex: 'M' }, out, 1);
  emb.indicesInto({ age: 50, smoker: 0, sex: 'X' }, out, 2);
  // F -> 1, M -> 2 (sorted training categories, 1-based); unseen X -> 0, like missing.
  assert.deepEqual([...out], [1, 2, 0]);
  const back = FittedTabular.fromJSON(JSON.parse(JSON.stringify(emb.toJSON())));
  assert.equal(back.embedsCategories, true);
  assert.equal(onehot.embedsCategories, false);
});

test('the preprocessor emits a categorical block in embedding mode only', () => {
  const spec = { modalities: ['tabular'] as const, schema: TEST_SCHEMA, image: { window: [0, 1] as const, size: 8 } };
  const a = fitPreprocessor(samples, spec).transform(samples);
  assert.equal(a.categorical, undefined);
  const b = fitPreprocessor(samples, { ...spec, categorical: 'embedding' }).transform(samples);
  assert.deepEqual(b.categorical!.columns, ['sex']);
  assert.equal(b.categorical!.data.length, samples.length);
  samples.forEach((s, i) => assert.equal(b.categorical!.data[i], s.tabular!.sex === 'F' ? 1 : 2));
});
