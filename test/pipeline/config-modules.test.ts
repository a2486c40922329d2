import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseExperiment } from '../../src/config/experiment.js';
import type { MetricsJson } from '../../src/record/metrics-json.js';
import { runExperiment } from '../../src/pipeline/experiment.js';

// Small enough to finish in seconds on a loaded 2-core machine: 16 px synthetic cohort, two epochs per phase, no curve.
const tiny = (workspace: string, extra: Record<string, unknown>) =>
  parseExperiment({
    seed: 5,
    workspace,
    data: { kind: 'synthetic', imageSize: 16 },
    training: { pretrain: { epochs: 2 }, head: { epochs: 1 }, finetune: { epochs: 1 }, scratch: { epochs: 2 } },
    evaluation: { bootstrapResamples: 20, budgetCurve: [] },
    ...extra,
  });

test('preprocess.categorical: embedding reaches the model (cardinalities in the spec, embedding layers) and source reports reach metrics.json and the report', async () => {
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-modules-'));
  const cfg = tiny(workspace, {
    preprocess: { imageSize: 16, categorical: 'embedding' },
    methods: [
      { name: 'tab', strategy: 'freeze_unfreeze', modalities: ['tabular'] },
      { name: 'multi', strategy: 'multi_source_weighted', modalities: ['tabular'] },
    ],
  });
  const r = await runExperiment(cfg, { runId: 'emb' });
  for (const method of ['tab', 'multi']) {
    const spec = JSON.parse(await readFile(join(r.runDir, 'models', method, 'spec.json'), 'utf8'));
    const pre = JSON.parse(await readFile(join(r.runDir, 'models', method, 'preprocessor.json'), 'utf8'));
    const cats = pre.tabular.columns.filter((c: { kind: string }) => c.kind === 'categorical');
    assert.ok(cats.length > 0, 'the synthetic schema has categorical columns');
    assert.equal(pre.tabular.categorical, 'embedding', method);
    assert.equal(spec.categoricalCardinalities?.length, cats.length, `${method}: one cardinality per categorical column`);
    const topology = await readFile(join(r.runDir, 'models', method, 'model.json'), 'utf8');
    assert.match(topology, /tab_cat1_embed/, method);
  }
  // The multi-source strategy's findings are carried through: every source assessed, negative transfer listed.
  const metrics = JSON.parse(await readFile(join(r.runDir, 'metrics.json'), 'utf8')) as MetricsJson;
  const multi = metrics.folds[0].methods.find((m) => m.method === 'multi')!;
  assert.deepEqual(multi.transfer_report?.sources?.map((s) => s.site).sort(), [...r.folds[0].sources].sort());
  assert.ok(Array.isArray(multi.transfer_report?.negative_transfer));
  assert.equal(typeof multi.transfer_report?.target_only_val_loss, 'number');
  assert.equal(metrics.folds[0].methods.find((m) => m.method === 'tab')!.transfer_report, null);
  assert.deepEqual(r.folds[0].methods.find((m) => m.method === 'multi')!.transferReport?.negativeTransfer, multi.transfer_report?.negative_transfer);
  const html = await readFile(r.report.html, 'utf8');
  assert.match(html, /<section id="transfer-report">/);
  for (const s of r.folds[0].sources) assert.ok(html.includes(`<td>multi</td><td>${s}</td>`), `report row for source ${s}`);
});

test('the default (one-hot) config gives the model it always gave: no categorical cardinalities, no text width', async () => {
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-modules-'));
  const cfg = tiny(workspace, { preprocess: { imageSize: 16 }, methods: [{ name: 'tab', strategy: 'target_only', modalities: ['tabular'] }] });
  assert.equal(cfg.preprocess.categorical, 'onehot');
  const r = await runExperiment(cfg, { runId: 'onehot' });
  const spec = JSON.parse(await readFile(join(r.runDir, 'models', 'tab', 'spec.json'), 'utf8'));
  assert.deepEqual(Object.keys(spec).sort(), [...Object.keys(cfg.model), 'modalities', 'tabularDim'].sort());
  assert.doesNotMatch(await readFile(join(r.runDir, 'models', 'tab', 'model.json'), 'utf8'), /_embed"/);
});

test('a text method on a cohort without notes is refused by name before any training', async () => {
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-modules-'));
  const cfg = tiny(workspace, {
    preprocess: { imageSize: 16 },
    methods: [
      { name: 'tab', strategy: 'target_only', modalities: ['tabular'] },
      { name: 'notes', strategy: 'target_only', modalities: ['tabular', 'text'] },
    ],
  });
  assert.deepEqual(cfg.methods[1].modalities, ['tabular', 'text']);
  await assert.rejects(runExperiment(cfg, { runId: 'text' }), /has no clinical notes, so method 'notes' \(modalities: text\) cannot run/);
});
