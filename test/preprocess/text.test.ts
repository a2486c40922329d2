import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../../src/data/types.js';
import { fitText, FittedText, noteTerms, tokenize } from '../../src/preprocess/text.js';

const note = (subjectId: string, text?: string): Sample => ({ subjectId, siteId: 's', label: 0, ...(text === undefined ? {} : { text }) });

test('notes tokenise to lower-case words and word and character n-grams', () => {
  assert.deepEqual(tokenize('Spiculated nodule, 12mm; RUL.'), ['spiculated', 'nodule', '12mm', 'rul']);
  assert.deepEqual(noteTerms('Ab cd', 2, 3), ['w1:ab', 'w1:cd', 'w2:ab cd', 'c:<ab', 'c:ab>', 'c:<cd', 'c:cd>']);
});

test('hashed features are L2-normalised, deterministic, and zero for a missing note', () => {
  const fit = fitText([note('a', 'spiculated nodule'), note('b', 'smooth nodule'), note('c')], { dim: 64 });
  const v = fit.apply('Spiculated nodule');
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  // float32 sum of squares of a few dozen terms: unit norm to 1e-6.
  assert.ok(Math.abs(norm - 1) < 1e-6);
  assert.deepEqual(fit.apply('spiculated   NODULE'), v);
  assert.ok(fit.apply(undefined).every((x) => x === 0));
  assert.ok(fit.apply('').every((x) => x === 0));
  assert.notDeepEqual(fit.apply('smooth nodule'), v);
  assert.equal(fit.state.nFit, 2);
});

test('IDF is fitted on training notes only: a term in every training note weighs less than a rare one', () => {
  const fit = fitText([note('a', 'nodule spiculated'), note('b', 'nodule'), note('c', 'nodule')], { dim: 4096, wordNgrams: 1, charNgrams: 0 });
  const v = fit.apply('nodule spiculated');
  const nz = [...v].filter((x) => x > 0).sort((a, b) => a - b);
  assert.equal(nz.length, 2);
  // idf(nodule) = ln(4/4) + 1 = 1, idf(spiculated) = ln(4/2) + 1 = 1.693: ratio 1.693 before normalisation.
  assert.ok(Math.abs(nz[1] / nz[0] - (Math.log(2) + 1)) < 1e-5);
  const plain = fitText([note('a', 'nodule spiculated')], { dim: 4096, wordNgrams: 1, charNgrams: 0, idf: false });
  assert.equal(plain.state.idf, null);
});

test('the fitted state round-trips through JSON and bad options are rejected by name', () => {
  const fit = fitText([note('a', 'ground glass opacity')], { dim: 32 });
  const back = FittedText.fromJSON(JSON.parse(JSON.stringify(fit.toJSON())));
  assert.deepEqual(back.apply('ground glass'), fit.apply('ground glass'));
  assert.throws(() => fitText([], { dim: 0 }), /text dim/);
  assert.throws(() => fitText([], { wordNgrams: 0 }), /wordNgrams/);
});
