import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyThreshold, thresholdForSensitivity, youdenThreshold } from '../../src/evaluate/threshold-selection.js';

const valY = [0, 0, 0, 0, 1, 0, 1, 1, 1, 1];
const valS = [0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9];

test('youdenThreshold: maximises J on validation and returns a validation score', () => {
  const t = youdenThreshold(valY, valS);
  // At 0.6: sens 4/5, spec 5/5 -> J = 0.8; at 0.45: sens 1, spec 4/5 -> J = 0.8: tie, highest wins.
  assert.equal(t.threshold, 0.6);
  assert.equal(t.sensitivity, 0.8);
  assert.equal(t.specificity, 1);
});

test('youdenThreshold: tied scores are never split', () => {
  const t = youdenThreshold([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]);
  assert.ok([0.9, 0.5, 0.2].includes(t.threshold));
  assert.equal(t.threshold, 0.9);
});

test('thresholdForSensitivity: most specific threshold reaching the target sensitivity', () => {
  assert.equal(thresholdForSensitivity(valY, valS, 0.9).threshold, 0.45);
  assert.equal(thresholdForSensitivity(valY, valS, 0.8).threshold, 0.6);
  assert.equal(thresholdForSensitivity(valY, valS, 0).threshold, 0.9);
  assert.equal(thresholdForSensitivity(valY, valS, 1).sensitivity, 1);
  assert.throws(() => thresholdForSensitivity(valY, valS, 1.5), /not in \[0, 1\]/);
  assert.throws(() => youdenThreshold([0, 0], [0.1, 0.2]), /both classes/);
});

test('the chosen threshold depends only on validation data; test data only receive it', () => {
  const testA = [0.05, 0.6, 0.99, 0.44];
  const testB = [0.7, 0.7, 0.1, 0.3, 0.2];
  const pick = (testScores: number[]) => {
    const y = youdenThreshold(valY, valS).threshold;
    const s = thresholdForSensitivity(valY, valS, 0.9).threshold;
    return { y, s, predsY: applyThreshold(testScores, y) };
  };
  const a = pick(testA);
  const b = pick(testB);
  assert.equal(a.y, b.y);
  assert.equal(a.s, b.s);
  assert.deepEqual([...a.predsY], [0, 1, 1, 0]);
  assert.deepEqual([...applyThreshold([0.6, 0.59], 0.6)], [1, 0], 'score equal to threshold is positive');
});
