import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadExperimentFile, parseExperiment } from '../../src/config/experiment.js';
import { listStrategies } from '../../src/transfer/registry.js';

test('examples/strategies.yaml parses and names only registered strategies, covering all of them', async () => {
  const cfg = await loadExperimentFile('examples/strategies.yaml');
  const used = new Set(cfg.methods.map((m) => m.strategy));
  for (const m of cfg.methods) assert.ok(listStrategies().includes(m.strategy), m.strategy);
  assert.deepEqual([...used].sort(), listStrategies());
  assert.deepEqual(cfg.methods.find((m) => m.name === 'l2sp')!.options, { alpha: 0.1, beta: 0.01, reinitHead: false });
});

test('a bad strategy option in an experiment file names the method, the strategy and the option', () => {
  const base = { methods: [{ name: 'x', strategy: 'dann', modalities: ['tabular'], options: { hiden: 8 } }] };
  assert.throws(() => parseExperiment(base, 'exp.yaml'), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /exp\.yaml/);
    assert.match(e.message, /methods\.0\.options \(method 'x', strategy 'dann'\): unknown option 'hiden'/);
    return true;
  });
  assert.throws(() => parseExperiment({ methods: [{ name: 'y', strategy: 'l2sp', modalities: ['tabular'], options: { alpha: -1 } }] }), /methods\.0\.options .*alpha/);
  assert.throws(() => parseExperiment({ methods: [{ name: 'z', strategy: 'my_own', modalities: ['tabular'], options: { a: 1 } }] }), /strategy 'my_own' takes no options/);
});
