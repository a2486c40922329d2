// Runs a tiny two-pretraining experiment and prints its metrics.json compute block and method
// AUROCs as one JSON line; parallel-pretraining.test.ts starts it with different thread counts.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExperiment } from '../../src/config/experiment.js';
import { runExperiment } from '../../src/pipeline/experiment.js';
import { toMetricsJson } from '../../src/record/metrics-json.js';

const workspace = await mkdtemp(join(tmpdir(), 'medtl-par-'));
const cfg = parseExperiment({
  seed: 9,
  workspace,
  data: { kind: 'synthetic', imageSize: 16 },
  preprocess: { imageSize: 16 },
  training: { pretrain: { epochs: 2 }, head: { epochs: 1 }, finetune: { epochs: 1 }, scratch: { epochs: 1 } },
  evaluation: { bootstrapResamples: 20, budgetCurve: [] },
  methods: [
    { name: 'fusion', strategy: 'freeze_unfreeze', modalities: ['image', 'tabular'] },
    { name: 'image', strategy: 'full_finetune', modalities: ['image'] },
    { name: 'scratch', strategy: 'target_only', modalities: ['tabular'] },
  ],
});
const logs: string[] = [];
const result = await runExperiment(cfg, { runId: 'r', progress: { start: () => undefined, update: () => undefined, stop: () => undefined, log: (m) => logs.push(m) } });
const m = toMetricsJson(result);
console.log(JSON.stringify({ compute: m.compute, methods: result.folds[0].methods.map((x) => [x.method, x.evaluation.auroc, x.evaluation.aurocCI]), logs: logs.filter((l) => l.startsWith('pretrain [')) }));
