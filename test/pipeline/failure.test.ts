import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseExperiment } from '../../src/config/experiment.js';
import { runExperiment } from '../../src/pipeline/experiment.js';
import { registerStrategy } from '../../src/transfer/registry.js';

test('a failing method keeps the finished methods and says where', async () => {
  registerStrategy({
    name: 'test_boom',
    description: 'always fails',
    usesSource: false,
    run: async () => {
      throw new Error('simulated out-of-memory');
    },
  });
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-fail-'));
  const cfg = parseExperiment({
    seed: 5,
    workspace,
    data: { kind: 'synthetic', imageSize: 16 },
    preprocess: { imageSize: 16 },
    training: { pretrain: { epochs: 2 }, head: { epochs: 1 }, finetune: { epochs: 1 } },
    evaluation: { bootstrapResamples: 20 },
    methods: [
      { name: 'tab', strategy: 'freeze_unfreeze', modalities: ['tabular'] },
      { name: 'boom', strategy: 'test_boom', modalities: ['tabular'] },
    ],
  });
  const err = await runExperiment(cfg, { runId: 'r1' }).then(
    () => assert.fail('expected the run to fail'),
    (e: Error) => e,
  );
  const runDir = join(workspace, 'runs', 'r1');
  assert.match(err.message, /method 'boom' failed: simulated out-of-memory/);
  assert.ok(err.message.includes(runDir));
  const failed = JSON.parse(await readFile(join(runDir, 'failed.json'), 'utf8'));
  assert.deepEqual(failed, { failed_fold: 'holdout', failed_method: 'boom', error: 'simulated out-of-memory', finished: [{ fold: 'holdout', method: 'tab' }] });
  assert.ok(existsSync(join(runDir, 'config.json')));
  assert.ok(existsSync(join(runDir, 'models', 'tab', 'manifest.json')));
  assert.match(await readFile(join(runDir, 'predictions.csv'), 'utf8'), /^fold,method,site,subject_id,y_true,y_score\nholdout,tab,hosp_d,/);
  assert.ok(!existsSync(join(runDir, 'metrics.json')), 'an incomplete run has no metrics.json');
});

test('a label-budget curve larger than the target pool fails before any training, naming the key', async () => {
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-fail-'));
  const cfg = parseExperiment({
    seed: 5,
    workspace,
    data: { kind: 'synthetic', imageSize: 16 },
    preprocess: { imageSize: 16 },
    evaluation: { budgetCurve: [20, 5000] },
    methods: [{ name: 'tab', strategy: 'freeze_unfreeze', modalities: ['tabular'] }],
  });
  await assert.rejects(runExperiment(cfg, { runId: 'r2' }), /^Error: evaluation\.budgetCurve: label budget count 5000 exceeds the \d+ subjects of the pool$/);
  assert.ok(!existsSync(join(workspace, 'runs', 'r2', 'models')), 'no method was trained');
});
