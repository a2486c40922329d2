import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, parseExperiment } from '../../src/config/experiment.js';
import { runExperiment } from '../../src/pipeline/experiment.js';
import { silentProgress, type ProgressReporter } from '../../src/util/progress.js';
import { writeTinyCnn } from '../helpers/onnx-builder.js';

// The backbone is a tiny CNN (Conv 3->4 + ReLU + global average pool, 8x8) that the test builds itself: no fixture, no download.
const modelDir = await mkdtemp(join(tmpdir(), 'medtl-backbone-model-'));
const MODEL = (await writeTinyCnn(modelDir)).path;
after(() => rm(modelDir, { recursive: true, force: true }));

/** A progress reporter that keeps the log lines. */
function recording(): { progress: ProgressReporter; lines: string[] } {
  const lines: string[] = [];
  return { progress: { ...silentProgress, log: (m) => lines.push(m) }, lines };
}

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).length;
}

test('model.backbone: image methods train a head on frozen ONNX embeddings, cached in the workspace', async () => {
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-backbone-'));
  const cfg = parseExperiment({
    seed: 5,
    workspace,
    data: { kind: 'synthetic', imageSize: 16 },
    preprocess: { imageSize: 16 },
    model: { backbone: { onnx: MODEL, inputShape: [8, 8, 3] } },
    training: { pretrain: { epochs: 2 }, head: { epochs: 1 }, finetune: { epochs: 1 } },
    evaluation: { bootstrapResamples: 20, budgetCurve: [] },
    methods: [{ name: 'fused', strategy: 'freeze_unfreeze', modalities: ['image', 'tabular'] }],
  });
  const first = recording();
  const r1 = await runExperiment(cfg, { runId: 'b1', progress: first.progress });
  const line1 = first.lines.find((l) => l.startsWith('backbone '));
  const m = /: (\d+) image embeddings of (\d+) floats \(cache: 0 hits, (\d+) written\)/.exec(line1 ?? '');
  assert.ok(m, `first run extracts and writes every embedding: ${line1}`);
  const [nImages, dim, written] = [Number(m[1]), Number(m[2]), Number(m[3])];
  assert.equal(written, nImages);
  assert.ok(nImages > 0);
  // One float32 file per image under <workspace>/embeddings/<model sha256>/.
  assert.equal(await countFiles(join(workspace, 'embeddings')), nImages);
  const spec = JSON.parse(await readFile(join(r1.runDir, 'models', 'fused', 'spec.json'), 'utf8'));
  assert.equal(spec.imageEncoder, 'embedding');
  assert.equal(spec.imageEmbeddingDim, dim);
  assert.equal(spec.backbone, undefined, 'the pipeline-only key stays out of the model spec');
  const topology = await readFile(join(r1.runDir, 'models', 'fused', 'model.json'), 'utf8');
  assert.doesNotMatch(topology, /Conv2D/, 'no trainable CNN: the image enters as an embedding');
  const pre = JSON.parse(await readFile(join(r1.runDir, 'models', 'fused', 'preprocessor.json'), 'utf8'));
  assert.equal(pre.imageBackbone.path, MODEL);
  assert.equal(pre.image, undefined);
  // A second run reads every embedding from the cache and, with the same seed, predicts the same.
  const second = recording();
  const r2 = await runExperiment(cfg, { runId: 'b2', progress: second.progress });
  assert.match(second.lines.find((l) => l.startsWith('backbone ')) ?? '', new RegExp(`cache: ${nImages} hits, 0 written`));
  assert.equal(r2.folds[0].methods[0].evaluation.auroc, r1.folds[0].methods[0].evaluation.auroc);
});

test('model.backbone with a non-square input is refused, naming the key', () => {
  assert.throws(() => parseExperiment({ model: { backbone: { onnx: MODEL, inputShape: [8, 6, 3] } } }), (e: Error) => e instanceof ConfigError && /model\.backbone\.inputShape: .*height must equal width/.test(e.message));
});
