import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeNearest, editDistance, nearestNames } from '../../src/util/nearest.js';

test('editDistance counts insertions, deletions and substitutions', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('age', 'age'), 0);
});

test('nearestNames puts containing names first, then the closest by edit distance, case-insensitive', () => {
  assert.deepEqual(nearestNames('Creat', ['id', 'dx', 'creatinine', 'age']), ['creatinine', 'age', 'id']);
  assert.deepEqual(nearestNames('labl', ['table', 'label', 'age']), ['label', 'table', 'age']);
  assert.deepEqual(nearestNames('AGE', ['age', 'sex'], 1), ['age']);
  assert.equal(describeNearest('x', []), 'no headers to choose from');
  assert.equal(describeNearest('dx ', ['dx', 'id']), "nearest headers: 'dx', 'id'");
});
