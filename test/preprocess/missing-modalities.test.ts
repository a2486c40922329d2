import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../../src/data/types.js';
import { concatFeatures, dropModality, missingModalityCounts, selectRows } from '../../src/preprocess/features.js';
import { FittedPreprocessor, fitPreprocessor } from '../../src/preprocess/preprocessor.js';
import { makeSamples, TEST_SCHEMA } from '../helpers/samples.js';

const base = makeSamples({ sites: ['a'], perSite: 12, seed: 3 });
// Rows 1 and 4 lack an image, row 2 lacks its record, row 5 lacks both; rows 0-2 have a note.
const samples: Sample[] = base.map((s, i) => {
  const { image, tabular, ...rest } = s;
  return {
    ...rest,
    ...(i === 1 || i === 4 || i === 5 ? {} : { image }),
    ...(i === 2 || i === 5 ? {} : { tabular }),
    ...(i < 3 ? { text: `note ${i} nodule` } : {}),
  };
});
const spec = { modalities: ['image', 'tabular', 'text'] as const, schema: TEST_SCHEMA, image: { window: [-1000, 400] as const, size: 8 }, text: { dim: 16 } };

test('the preprocessor predicts-through samples lacking modalities and counts them', () => {
  const pre = fitPreprocessor(samples, spec);
  const fs = pre.transform(samples);
  assert.equal(fs.n, 12);
  assert.deepEqual([...fs.masks!.image!].map(Number), [1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual([...fs.masks!.tabular!].map(Number), [1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(missingModalityCounts(fs), { image: 3, tabular: 2, text: 9 });
  // A missing image encodes as zeros (the training mean).
  assert.ok(fs.image!.data.subarray(64, 128).every((v) => v === 0));
});

test('masks follow rows through selectRows, concatFeatures and dropModality, and survive a save/load of the preprocessor', () => {
  const pre = FittedPreprocessor.fromJSON(JSON.parse(JSON.stringify(fitPreprocessor(samples, spec).toJSON())));
  const fs = pre.transform(samples);
  const sub = selectRows(fs, [5, 0]);
  assert.deepEqual([...sub.masks!.image!], [0, 1]);
  const both = concatFeatures([sub, fs]);
  assert.equal(both.masks!.tabular!.length, 14);
  assert.deepEqual(missingModalityCounts(both), { image: 4, tabular: 3, text: 10 });
  const noImage = dropModality(fs, 'image');
  assert.equal(missingModalityCounts(noImage).image, 12);
  assert.ok(noImage.image!.data.every((v) => v === 0));
});

test('errors name the subject', () => {
  const pre = fitPreprocessor(samples, spec);
  const bad: Sample = { ...samples[0], subjectId: 'p9999', image: { height: 8, width: 8, channels: 3, data: new Float32Array(192) } };
  assert.throws(() => pre.transform([bad]), /a\/p9999/);
});
