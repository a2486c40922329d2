import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadExperimentFile, parseExperiment } from '../config/experiment.js';
import { evaluateAndPrint } from './evaluate-command.js';
import { runAndPrint } from './run-command.js';

function intOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function positiveIntOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function probabilityOption(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number in [0, 1]');
  return n;
}

const program = new Command()
  .name('medtl')
  .description('Multi-site, multi-modal transfer learning for medical data')
  .showHelpAfterError();

program
  .command('demo')
  .description('generate the synthetic multi-site lung cohort, pretrain on source sites, transfer to the target and compare with baselines')
  .option('-w, --workspace <dir>', 'workspace folder for the cohort and run record', './medtl-workspace')
  .option('-s, --seed <n>', 'seed for data, splits and training', intOption, 42)
  .option('--json', 'print the metrics as JSON on stdout (see docs/cli.md)')
  .option('-q, --quiet', 'no progress output')
  .action(async (o: { workspace: string; seed: number; json?: boolean; quiet?: boolean }) => {
    const cfg = parseExperiment({ name: 'lung-demo', seed: o.seed, workspace: o.workspace }, '(demo)');
    await runAndPrint(cfg, o);
  });

program
  .command('run')
  .description('run an experiment described by a YAML file')
  .argument('<experiment>', 'experiment YAML file, e.g. examples/lung-demo.yaml')
  .option('-w, --workspace <dir>', 'override the workspace folder in the file')
  .option('-s, --seed <n>', 'override the seed in the file', intOption)
  .option('--json', 'print the metrics as JSON on stdout (see docs/cli.md)')
  .option('-q, --quiet', 'no progress output')
  .action(async (file: string, o: { workspace?: string; seed?: number; json?: boolean; quiet?: boolean }) => {
    let cfg = await loadExperimentFile(file);
    if (o.workspace !== undefined || o.seed !== undefined) {
      cfg = parseExperiment({ ...cfg, ...(o.workspace !== undefined && { workspace: o.workspace }), ...(o.seed !== undefined && { seed: o.seed }) }, file);
    }
    await runAndPrint(cfg, o);
  });

program
  .command('evaluate')
  .description('metrics with bootstrap CIs, overall and per site, for a CSV of predictions from any model')
  .argument('<predictions>', 'CSV with y_true and y_score (binary) or score_<class> columns; optional site, subject_id')
  .option('--json', 'print the metrics as JSON on stdout (see docs/cli.md)')
  .option('-s, --seed <n>', 'seed for the bootstrap', intOption, 42)
  .option('--bootstrap <n>', 'bootstrap resamples', positiveIntOption, 1000)
  .option('--threshold <p>', 'binary: y_score at or above which a row is predicted positive', probabilityOption, 0.5)
  .action(async (file: string, o: { json?: boolean; seed: number; bootstrap: number; threshold: number }) => {
    await evaluateAndPrint(file, o);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(`medtl: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = e instanceof ConfigError ? 2 : 1;
}
