import type { ExperimentConfig } from '../config/experiment.js';
import { runExperiment } from '../pipeline/experiment.js';
import { describeCompute, toMetricsJson } from '../record/metrics-json.js';
import { silentProgress } from '../util/progress.js';
import { terminalProgress } from './progress.js';
import { innerCvLines, pooledTable, resultsTable, shiftLines } from './table.js';

/** Output switches shared by `demo` and `run`. */
export interface RunFlags {
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** Runs an experiment and prints either its tables (one per fold, then the pooled one) and run location, or the metrics JSON on stdout. */
export async function runAndPrint(cfg: ExperimentConfig, flags: RunFlags): Promise<void> {
  const progress = flags.quiet ? silentProgress : terminalProgress();
  const result = await runExperiment(cfg, { progress });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(toMetricsJson(result), null, 2)}\n`);
    return;
  }
  for (const fold of result.folds) {
    const p = fold.partitions;
    const name = result.folds.length > 1 ? `Fold ${fold.id}: target` : 'Target';
    process.stdout.write(
      `\n${name} site ${fold.target} (sources: ${fold.sources.join(', ')}); label budget ${p.targetLabelledTrain + p.targetLabelledVal} ` +
        `(${p.targetLabelledTrain} fit + ${p.targetLabelledVal} early-stopping), ${p.targetTest} test subjects.\n\n`,
    );
    process.stdout.write(`${resultsTable(fold)}\n`);
    const choices = innerCvLines(fold);
    if (choices.length) process.stdout.write(`\n${choices.join('\n')}\n`);
    const shift = shiftLines(fold);
    if (shift) process.stdout.write(`\n${shift}\n`);
  }
  if (result.folds.length > 1) process.stdout.write(`\nProtocol ${result.protocol.kind}, ${result.folds.length} folds: target-test AUROC per fold.\n\n${pooledTable(result)}\n`);
  process.stdout.write(
    `\nThreshold ${cfg.evaluation.threshold} on predicted probability; CI: stratified bootstrap, ${cfg.evaluation.bootstrapResamples} resamples; ` +
      `ΔAUROC: paired bootstrap (the same resamples for both methods)${result.folds.length > 1 ? ', and over folds a Student-t interval of the per-fold differences' : ''}.\n`,
  );
  process.stdout.write(`Run record (config, metrics.json, predictions.csv, models/): ${result.runDir}\n`);
  process.stdout.write(`Report: ${result.report.html} (model card: ${result.report.modelCardMarkdown})\n`);
  process.stdout.write(`Backend ${describeCompute(toMetricsJson(result))}; ${result.seconds.toFixed(1)} s.\n`);
}
