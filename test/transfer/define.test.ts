import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { z } from 'zod';
import { ConfigError, parseExperiment } from '../../src/config/experiment.js';
import { defineStrategy, registerStrategy } from '../../src/index.js';
import { getStrategy, listStrategies } from '../../src/transfer/registry.js';
import { toyContext, toyTransferData } from './context.js';

// An external strategy as a library user writes it: its own schema, run on the parsed options.
const seen: { scale: number; note?: string }[] = [];
const external = defineStrategy({
  name: 'test_external_scaled',
  description: 'target-only with a recorded scale option (test only)',
  options: z.strictObject({ scale: z.number().positive().default(2), note: z.string().optional() }),
  usesSource: false,
  async run(ctx, opts) {
    seen.push(opts);
    return getStrategy('target_only').run({ ...ctx, options: undefined });
  },
});
registerStrategy(external);

before(async () => {
  await tf.setBackend('cpu');
});

const method = (options?: Record<string, unknown>) => ({ methods: [{ name: 'ext', strategy: 'test_external_scaled', modalities: ['tabular'], ...(options && { options }) }] });

test('an externally registered strategy is listed and its options are validated when an experiment is parsed', () => {
  assert.ok(listStrategies().includes('test_external_scaled'));
  assert.deepEqual(parseExperiment(method({ scale: 3 })).methods[0].options, { scale: 3 });
  assert.throws(
    () => parseExperiment(method({ scale: -1 }), 'exp.yaml'),
    (e: unknown) => e instanceof ConfigError && /exp\.yaml/.test(e.message) && /methods\.0\.options \(method 'ext', strategy 'test_external_scaled'\): scale: /.test(e.message),
  );
  assert.throws(() => parseExperiment(method({ scael: 3 })), /methods\.0\.options \(method 'ext', strategy 'test_external_scaled'\): unknown option 'scael'/);
});

test('an externally registered strategy runs on its parsed options, defaults filled', async () => {
  const data = toyTransferData();
  seen.length = 0;
  await getStrategy('test_external_scaled').run(toyContext(data));
  await getStrategy('test_external_scaled').run(toyContext(data, { scale: 5, note: 'x' }));
  assert.deepEqual(seen, [{ scale: 2 }, { scale: 5, note: 'x' }]);
  await assert.rejects(getStrategy('test_external_scaled').run(toyContext(data, { scale: 0 })), /options of strategy 'test_external_scaled': scale: /);
  assert.deepEqual(external.parseOptions(undefined), { scale: 2 });
});

test('built-in strategies carry their schema: each parses empty options, and a strategy without one takes none', () => {
  for (const name of listStrategies()) {
    const s = getStrategy(name);
    if (name.startsWith('test_')) continue;
    assert.ok(s.options, `${name} has an options schema`);
    assert.equal(s.options.safeParse({}).success, true, name);
  }
  assert.throws(() => parseExperiment({ methods: [{ name: 'p', strategy: 'linear_probe', modalities: ['tabular'], options: { x: 1 } }] }), /strategy 'linear_probe'\): unknown option 'x'/);
});
