import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadExperimentFile, parseExperiment } from '../config/experiment.js';
import { ManifestError } from '../data/manifest/load.js';
import type { EvaluateFlags } from './evaluate-command.js';
import type { InspectFlags } from './inspect-command.js';
import type { IngestFlags } from './ingest-command.js';
import type { ReportFlags } from './report-command.js';

// Each command loads its own module when it runs: the data commands bring DuckDB, FHIRPath and
// the DICOM codecs, and the training commands TF.js, which no other command needs at start-up.
const runAndPrint: typeof import('./run-command.js').runAndPrint = async (...a) => (await import('./run-command.js')).runAndPrint(...a);

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

function bandsOption(value: string): number[] {
  const parts = value.split(',').map((x) => x.trim());
  const bands = parts.map(Number);
  if (parts.some((x) => x === '') || bands.some((b, k) => !Number.isFinite(b) || (k > 0 && b <= bands[k - 1]))) {
    throw new InvalidArgumentError('expected strictly ascending comma-separated numbers, e.g. 0,50,65,80');
  }
  return bands;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

// package.json sits two folders up from both src/cli/ and dist/cli/.
const packageVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const program = new Command()
  .name('medtl')
  .description('Multi-site, multi-modal transfer learning for medical data')
  .version(packageVersion, '-V, --version', 'print the medtl version')
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
  .description('metrics with bootstrap CIs, overall, per site and per subgroup, for a CSV of predictions from any model; DeLong tests between y_score_<method> columns')
  .argument('<predictions>', 'CSV with y_true and y_score and/or y_score_<method> (binary) or score_<class> columns; optional site, subject_id, subgroup columns')
  .option('--json', 'print the metrics as JSON on stdout (see docs/cli.md)')
  .option('-s, --seed <n>', 'seed for the bootstrap', intOption, 42)
  .option('--bootstrap <n>', 'bootstrap resamples', positiveIntOption, 1000)
  .option('--threshold <p>', 'binary: y_score at or above which a row is predicted positive', probabilityOption, 0.5)
  .option('--at-specificity <p>', 'binary: specificity at which sensitivity_at_specificity is read', probabilityOption, 0.9)
  .option('--at-sensitivity <p>', 'binary: sensitivity at which specificity_at_sensitivity is read', probabilityOption, 0.9)
  .option('--subgroup <column>', 'binary: also report metrics per value of this column (repeatable)', collect, [])
  .option('--age-column <column>', 'the subgroup column cut into --age-bands', 'age')
  .option('--age-bands <list>', 'cut points of the age bands, e.g. 0,50,65,80', bandsOption, [0, 50, 65, 80])
  .option('--min-per-class <n>', 'fewest positives and negatives for a subgroup to get CIs', intOption, 10)
  .option('--report <file>', 'binary: also write a self-contained HTML report (tables and plots) to this file')
  .action(async (file: string, o: EvaluateFlags) => {
    await (await import('./evaluate-command.js')).evaluateAndPrint(file, o);
  });

program
  .command('inspect')
  .description('decode one image file (DICOM, NIfTI .nii/.nii.gz, PNG, JPEG, MedMNIST .npz) and print its format, shape, axes, voxel size, affine (volumes) and pixel statistics')
  .argument('<file>', 'the image file')
  .option('--json', 'print the report as JSON on stdout (see docs/data.md)')
  .option('--array <name>', '.npz only: the array to load (default train_images, else the first *_images array)')
  .action(async (file: string, o: InspectFlags) => {
    await (await import('./inspect-command.js')).inspectAndPrint(file, o);
  });

program
  .command('report')
  .description('regenerate the self-contained HTML report and model card of a finished run folder from its files')
  .argument('<run-dir>', 'a run folder, e.g. medtl-workspace/runs/<run-id>')
  .option('-o, --out <file>', 'HTML file to write (default <run-dir>/report.html); model-card.md and model-card.json go next to it')
  .action(async (dir: string, o: ReportFlags) => {
    await (await import('./report-command.js')).reportAndPrint(dir, o);
  });

program
  .command('ingest')
  .description('ingest the sites of a manifest (tables, FHIR, images) into the workspace catalog, de-identified; idempotent and resumable')
  .argument('<manifest>', 'site manifest YAML (see docs/data.md), e.g. examples/heart-disease/manifest.yaml')
  .option('-w, --workspace <dir>', 'workspace folder holding catalog.duckdb', './medtl-workspace')
  .option('--data-root <dir>', "data folder overriding the manifest's root:")
  .option('--key-file <file>', 'de-identification key file (default: $MEDTL_DEID_KEY_FILE, then $MEDTL_DEID_KEY); never stored in the workspace')
  .option('--report [file]', 'print the harmonisation report and write it as JSON (default <workspace>/ingest-report.json)')
  .option('--json', 'print the per-site outcome and the report as JSON on stdout')
  .option('-q, --quiet', 'no progress output')
  .action(async (manifest: string, o: IngestFlags) => {
    await (await import('./ingest-command.js')).ingestAndPrint(manifest, o);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.stderr.write(`medtl: ${e instanceof Error ? e.message : String(e)}\n`);
  // A mistake in what the user wrote (experiment config or site manifest) is exit 2; anything else 1.
  process.exitCode = e instanceof ConfigError || e instanceof ManifestError ? 2 : 1;
}
