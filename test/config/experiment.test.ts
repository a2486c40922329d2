import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadExperimentFile, parseExperiment } from '../../src/config/experiment.js';

function problems(input: unknown): string {
  try {
    parseExperiment(input, 'x.yaml');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.message;
  }
  assert.fail('expected a ConfigError');
}

test('defaults fill an empty config and reproduce the demo methods', () => {
  const cfg = parseExperiment({});
  assert.equal(cfg.seed, 42);
  assert.equal(cfg.target, 'hosp_d');
  assert.deepEqual(
    cfg.methods.map((m) => m.name),
    ['transfer', 'target_only', 'source_only', 'source_only_logistic', 'target_only_logistic', 'embedding_logistic', 'transfer_image_only', 'transfer_tabular_only'],
  );
  assert.equal(cfg.training.finetune.batchSize, 32);
});

test('an unknown key is named with its location and the allowed keys', () => {
  assert.match(problems({ sed: 3 }), /x\.yaml[\s\S]*unknown key 'sed'; allowed keys: name, seed, workspace/);
  assert.match(problems({ split: { targetBudgt: 3 } }), /unknown key 'targetBudgt' in split; allowed keys: source, targetTest, targetBudget/);
  assert.match(problems({ training: { head: { lr: 1 } } }), /unknown key 'lr' in training\.head; allowed keys: epochs, batchSize, learningRate/);
});

test('a wrong type names the key and the expected form', () => {
  assert.match(problems({ training: { head: { epochs: 'ten' } } }), /training\.head\.epochs: .*expected number, received string/);
  assert.match(problems({ methods: [{ name: 'm', strategy: 's', modalities: ['audio'] }] }), /methods\.0\.modalities\.0: .*expected one of "image"\|"tabular"\|"text"/);
  assert.match(problems({ split: { source: { train: 0.5, val: 0.2, test: 0.2 } } }), /split\.source: train \+ val \+ test must sum to 1/);
  assert.match(problems({ preprocess: { window: [400, -1000] } }), /preprocess\.window: expected \[lo, hi\] with lo < hi/);
  assert.match(problems({ seed: -1 }), /seed: /);
});

test('YAML files: bad syntax and missing files are reported with the path', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-cfg-'));
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, 'seed: [1, 2\n');
  await assert.rejects(loadExperimentFile(bad), (e: Error) => e.message.includes(bad) && /not valid YAML/.test(e.message));
  await assert.rejects(loadExperimentFile(join(dir, 'nope.yaml')), /nope\.yaml[\s\S]*cannot read the file: ENOENT/);
  const good = join(dir, 'good.yaml');
  await writeFile(good, 'seed: 7\nsplit:\n  targetBudget: 40\n');
  const cfg = await loadExperimentFile(good);
  assert.equal(cfg.seed, 7);
  assert.equal(cfg.split.targetBudget, 40);
});

test('examples/lung-demo.yaml is exactly the configuration `medtl demo` runs', async () => {
  const file = new URL('../../examples/lung-demo.yaml', import.meta.url).pathname;
  const fromFile = await loadExperimentFile(file);
  const demo = parseExperiment({ name: 'lung-demo', seed: 42, workspace: './medtl-workspace' }, '(demo)');
  assert.deepEqual(fromFile, demo);
});
