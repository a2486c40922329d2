import type { ExperimentConfig } from '../config/experiment.js';
import { runExperiment } from '../pipeline/experiment.js';
import { describeCompute, toMetricsJson } from '../pipeline/metrics-json.js';
import { silentProgress } from '../util/progress.js';
import { terminalProgress } from './progress.js';
import { resultsTable } from './table.js';

/** Output switches shared by `demo` and `run`. */
export interface RunFlags {
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** Runs an experiment and prints either the table and run location, or the metrics JSON on stdout. */
export async function runAndPrint(cfg: ExperimentConfig, flags: RunFlags): Promise<void> {
  const progress = flags.quiet ? silentProgress : terminalProgress();
  const result = await runExperiment(cfg, { progress });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(toMetricsJson(result), null, 2)}\n`);
    return;
  }
  const p = result.partitions;
  process.stdout.write(
    `\nTarget site ${result.target} (sources: ${result.sources.join(', ')}); label budget ${p.targetLabelledTrain + p.targetLabelledVal} ` +
      `(${p.targetLabelledTrain} fit + ${p.targetLabelledVal} early-stopping), ${p.targetTest} test subjects.\n\n`,
  );
  process.stdout.write(`${resultsTable(result)}\n\n`);
  process.stdout.write(`Threshold ${cfg.evaluation.threshold} on predicted probability; CI: stratified bootstrap, ${cfg.evaluation.bootstrapResamples} resamples.\n`);
  process.stdout.write(`Run record (config, metrics.json, predictions.csv, models/): ${result.runDir}\n`);
  process.stdout.write(`Report: ${result.report.html} (model card: ${result.report.modelCardMarkdown})\n`);
  process.stdout.write(`Backend ${describeCompute(toMetricsJson(result))}; ${result.seconds.toFixed(1)} s.\n`);
}
