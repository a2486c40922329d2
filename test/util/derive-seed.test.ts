import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveSeed } from '../../src/util/random.js';

test('deriveSeed: a 31-bit seed that depends only on the root and the labels', () => {
  const s = deriveSeed(42, 'split', 'source');
  assert.equal(s, deriveSeed(42, 'split', 'source'), 'stateless: the same path gives the same seed');
  assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 31);
  assert.notEqual(s, deriveSeed(43, 'split', 'source'));
  assert.notEqual(s, deriveSeed(42, 'split', 'target'));
  // Labels are separated, not concatenated: ('ab', 'c') and ('a', 'bc') are different paths.
  assert.notEqual(deriveSeed(1, 'ab', 'c'), deriveSeed(1, 'a', 'bc'));
  assert.throws(() => deriveSeed(1), /at least one label/);
});
