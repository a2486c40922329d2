// Writes the demo's partitions (after medtl reads the cohort files and harmonises units) to a folder the
// PyTorch reference pipeline (bench/reference/demo_pipeline.py) reads, so both sides train and test on
// identical patients. Run before timing: it is not part of either side's measured time.
//
//   node --import tsx bench/lib/demo-export.ts --workspace /tmp/ws --out /tmp/ws/torch-bundle
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { parseExperiment, type ExperimentConfig } from '../../src/config/experiment.js';
import { encodeNpy } from '../../src/data/npy.js';
import type { ColumnSpec, Sample } from '../../src/data/types.js';
import { loadExperimentCohort } from '../../src/pipeline/cohort-source.js';
import { budgetCurveData } from '../../src/pipeline/budget-curve.js';
import { planFolds } from '../../src/pipeline/folds.js';
import type { FoldDraws } from '../../src/pipeline/seeds.js';
import { fitPreprocessor } from '../../src/preprocess/preprocessor.js';
import type { TransferData } from '../../src/transfer/types.js';
import { silentProgress } from '../../src/util/progress.js';

/**
 * The methods both sides of end_to_end run: the demo's list of 7 Dec 2026, the ones
 * bench/reference/demo_pipeline.py implements. The demo's own list has since gained `auto` (an inner CV over
 * ~14 candidates) and logistic baselines, which the PyTorch reference has no counterpart for.
 */
export const PEER_METHODS = [
  { name: 'transfer', strategy: 'freeze_unfreeze', modalities: ['image', 'tabular'] },
  { name: 'target_only', strategy: 'target_only', modalities: ['image', 'tabular'] },
  { name: 'source_only', strategy: 'source_only', modalities: ['image', 'tabular'] },
  { name: 'transfer_image_only', strategy: 'freeze_unfreeze', modalities: ['image'] },
  { name: 'transfer_tabular_only', strategy: 'freeze_unfreeze', modalities: ['tabular'] },
] as const;

/** The experiment file's contents for end_to_end: the demo's settings with PEER_METHODS as its methods. */
export function peerExperiment(workspace: string, seed = 42): { name: string; seed: number; workspace: string; methods: typeof PEER_METHODS } {
  return { name: 'lung-demo', seed, workspace, methods: PEER_METHODS };
}

/** peerExperiment as the YAML experiment file `medtl run` reads. */
export function peerExperimentYaml(workspace: string, seed = 42): string {
  return stringify(peerExperiment(workspace, seed));
}

/** The end_to_end experiment config (the demo's, with PEER_METHODS) for a workspace and seed. */
export function demoConfig(workspace: string, seed = 42): ExperimentConfig {
  return parseExperiment(structuredClone(peerExperiment(workspace, seed)), '(demo, peer methods)');
}

async function writePartition(dir: string, name: string, samples: readonly Sample[]): Promise<object> {
  const first = samples.find((s) => s.image)?.image;
  if (!first) throw new Error(`demo-export: partition '${name}' has no images`);
  const size = first.height * first.width * first.channels;
  const pixels = new Float32Array(samples.length * size);
  samples.forEach((s, i) => {
    if (!s.image) throw new Error(`demo-export: ${s.siteId}/${s.subjectId} in '${name}' has no image`);
    pixels.set(s.image.data, i * size);
  });
  await writeFile(join(dir, `${name}.images.npy`), encodeNpy({ dtype: 'f4', shape: [samples.length, first.height, first.width, first.channels], data: pixels }));
  return {
    n: samples.length,
    keys: samples.map((s) => `${s.siteId}/${s.subjectId}`),
    labels: samples.map((s) => s.label),
    records: samples.map((s) => s.tabular ?? {}),
  };
}

/** Exports every partition the demo's methods use, plus the schema and the config, into `out`, and the same config as `out`/experiment.yaml for `medtl run`; returns the demo's tabular width. */
export async function exportDemoPartitions(workspace: string, out: string, seed = 42): Promise<{ tabularDim: number }> {
  const cfg = demoConfig(workspace, seed);
  const { cohort } = await loadExperimentCohort(cfg, silentProgress);
  const [fold] = planFolds(cohort, cfg);
  const parts = fold.parts;
  await mkdir(out, { recursive: true });
  const partitions: Record<string, object> = {};
  const named: [string, readonly Sample[]][] = [
    ['sourceTrain', parts.transfer.sourceTrain],
    ['sourceVal', parts.transfer.sourceVal],
    ['targetTrain', parts.transfer.targetTrain],
    ['targetVal', parts.transfer.targetVal],
    ['targetTest', parts.targetTest],
  ];
  for (const [name, samples] of named) partitions[name] = await writePartition(out, name, samples);
  const curve: object[] = [];
  for (const b of budgetCurvePartitions(cfg, parts.transfer, fold.draws)) {
    curve.push({
      budget: b.budget,
      targetTrain: await writePartition(out, `curve${b.budget}.targetTrain`, b.data.targetTrain),
      targetVal: await writePartition(out, `curve${b.budget}.targetVal`, b.data.targetVal),
    });
  }
  await writeFile(join(out, 'experiment.yaml'), peerExperimentYaml(workspace, seed));
  await writeFile(join(out, 'bundle.json'), JSON.stringify({ config: cfg, schema: cohort.tabularSchema, target: parts.target, sources: parts.sources, partitions, curve }));
  return { tabularDim: demoTabularDim(cfg, parts.transfer.sourceTrain, cohort.tabularSchema) };
}

/** The label-budget curve's re-partitioned target data, drawn as runExperiment draws it (src/pipeline/experiment.ts). */
function budgetCurvePartitions(cfg: ExperimentConfig, transfer: TransferData, draws: FoldDraws): { budget: number; data: TransferData }[] {
  if (cfg.evaluation.budgetCurve.length === 0) return [];
  return budgetCurveData(transfer, cfg.evaluation.budgetCurve, cfg.split.targetValFraction, { subsets: draws.budgetCurve, validation: draws.budgetCurveValidation });
}

/** Width of the demo's preprocessed tabular vector, as source pretraining fits it. */
function demoTabularDim(cfg: ExperimentConfig, sourceTrain: readonly Sample[], schema: readonly ColumnSpec[]): number {
  const pre = fitPreprocessor(sourceTrain, { modalities: ['tabular'], schema, image: { window: cfg.preprocess.window, size: cfg.preprocess.imageSize } });
  if (!pre.tabular) throw new Error('demo-export: the fitted preprocessor has no tabular part');
  return pre.tabular.dim;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { workspace: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string', default: '42' } } });
  if (!values.workspace || !values.out) throw new Error('usage: demo-export.ts --workspace DIR --out DIR [--seed N]');
  console.log(JSON.stringify(await exportDemoPartitions(values.workspace, values.out, Number(values.seed))));
}
