import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitOnValidation } from '../../src/evaluate/operating-points.js';

test('fitOnValidation: Youden threshold from validation only, applied unchanged to test', () => {
  // Validation: J is 1 at threshold 0.6 (both positives above, both negatives below).
  const fit = fitOnValidation([0, 0, 1, 1], [0.2, 0.4, 0.6, 0.9], [0, 1, 0, 1, 1], [0.5, 0.65, 0.7, 0.3, 0.95]);
  assert.equal(fit.nVal, 4);
  assert.equal(fit.note, null);
  assert.equal(fit.threshold?.threshold, 0.6);
  assert.equal(fit.threshold?.valSensitivity, 1);
  assert.equal(fit.threshold?.valSpecificity, 1);
  // Test at 0.6: positives 0.65, 0.95 caught, 0.3 missed; negative 0.7 a false positive, 0.5 a true negative.
  assert.deepEqual(fit.threshold?.test, { tp: 2, fp: 1, tn: 1, fn: 1 });
  assert.equal(fit.threshold?.testSensitivity, 2 / 3);
  assert.equal(fit.threshold?.testSpecificity, 1 / 2);
  assert.ok(fit.temperature && fit.temperature.temperature > 0);
  // The fit minimises validation NLL, and T = 1 is a candidate, so it cannot be worse than before.
  assert.ok(fit.temperature.valNllAfter <= fit.temperature.valNllBefore);
});

test('fitOnValidation: a one-class validation set gets a temperature but no threshold, and says why', () => {
  const fit = fitOnValidation([1, 1, 1], [0.6, 0.7, 0.8], [0, 1], [0.3, 0.9]);
  assert.equal(fit.threshold, null);
  assert.ok(fit.temperature);
  assert.equal(fit.note, 'target validation has one class only (3 of 3 positive), so no Youden threshold');
  assert.deepEqual(fitOnValidation([], [], [0, 1], [0.3, 0.9]), { nVal: 0, threshold: null, temperature: null, note: 'no target validation subjects' });
});
