// `npm run bench:heart -- [flags]`: the heart-disease leave-one-site-out grid of issue 13. Every target
// site × seed × label budget × strategy is one row of --rows (JSONL), appended as it finishes; a rerun
// skips the rows already there, so the grid can be run in parts (--sites, --seeds, --budgets,
// --strategies) and resumed. The tables come from the rows alone: `npm run bench:heart:summary`.
//
//   npm run bench:heart                                         # the full grid (hours: see docs/benchmarks.md)
//   npm run bench:heart -- --sites switzerland --seeds 1,2 --budgets 0,0.1 --strategies source_only,update_logistic,l2sp
//
// --manifest    site manifest (default examples/heart-disease/manifest.yaml; data root from HEART_DISEASE_DATA)
// --sites       target sites (default: every site)          --seeds  count n (1..n) or a list (default 10)
// --budgets     label-budget fractions of the target's training pool (default 0,0.1,0.25,0.5,1)
// --strategies  default DEFAULT_STRATEGIES below; names the registry does not know are skipped with one line
// --rows        rows file (default bench/results/heart-loso.jsonl)
// --da-epochs   adaptation epochs of coral, mmd and dann (default 10, to keep the grid affordable; 0 = strategy defaults)
import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { initCompute } from '../src/compute/index.js';
import { parseExperiment } from '../src/config/experiment.js';
import { loadManifestCohort } from '../src/data/manifest/index.js';
import { listStrategies } from '../src/transfer/registry.js';
import { BUDGET_FREE, heartRowKey, readHeartRows, runHeartCell, type HeartLosoRow } from './heart-loso-grid.js';

/** The strategies of issue 13's grid; several are added by other branches and are skipped until they are registered. */
export const DEFAULT_STRATEGIES = [
  'source_only',
  'source_only_logistic',
  'target_only',
  'target_only_logistic',
  'ensemble_source_target',
  'update_intercept',
  'update_logistic',
  'update_revision',
  'update_closed_test',
  'label_shift_em',
  'linear_probe',
  'freeze_unfreeze',
  'full_finetune',
  'gradual_unfreeze',
  'discriminative_lr',
  'l2sp',
  'coral',
  'mmd',
  'dann',
  'auto',
];

const { values } = parseArgs({
  options: {
    manifest: { type: 'string', default: 'examples/heart-disease/manifest.yaml' },
    sites: { type: 'string' },
    seeds: { type: 'string', default: '10' },
    budgets: { type: 'string', default: '0,0.1,0.25,0.5,1' },
    strategies: { type: 'string' },
    rows: { type: 'string', default: 'bench/results/heart-loso.jsonl' },
    'da-epochs': { type: 'string', default: '10' },
  },
});

const list = (s: string | undefined): string[] | undefined => s?.split(',').map((x) => x.trim()).filter(Boolean);
const seeds = values.seeds.includes(',') ? list(values.seeds)!.map(Number) : Array.from({ length: Number(values.seeds) }, (_, i) => i + 1);
if (!seeds.length || seeds.some((s) => !Number.isInteger(s))) throw new Error(`--seeds: '${values.seeds}' is not a count or a comma list of integers`);
const budgets = list(values.budgets)!.map(Number);
for (const b of budgets) if (!(b >= 0 && b <= 1)) throw new Error(`--budgets: ${b} is not a fraction in [0, 1]`);
const known = new Set(listStrategies());
const asked = list(values.strategies) ?? DEFAULT_STRATEGIES;
for (const s of asked.filter((x) => !known.has(x))) process.stderr.write(`skip: strategy '${s}' is not registered on this branch; its rows are not run\n`);
const strategies = asked.filter((s) => known.has(s));
if (!strategies.length) throw new Error('--strategies: none of the strategies asked for is registered');
const daEpochs = Number(values['da-epochs']);
if (!(Number.isInteger(daEpochs) && daEpochs >= 0)) throw new Error(`--da-epochs: '${values['da-epochs']}' is not a non-negative integer`);
const options: Record<string, unknown> = daEpochs > 0 ? { coral: { epochs: daEpochs }, mmd: { epochs: daEpochs }, dann: { epochs: daEpochs } } : {};


await mkdir(dirname(values.rows), { recursive: true });
const compute = await initCompute({ log: (m) => process.stderr.write(`${m}\n`) });
const backend = `${compute.backend}${compute.native ? '+native' : ''}`;
const { cohort, quarantine } = await loadManifestCohort(values.manifest);
const sites = list(values.sites) ?? cohort.sites.map((s) => s.id);
for (const s of sites) if (!cohort.sites.some((c) => c.id === s)) throw new Error(`--sites: unknown site '${s}'; the manifest has ${cohort.sites.map((c) => c.id).join(', ')}`);
const existing = await readHeartRows(values.rows);
const done = new Set(existing.map(heartRowKey));
const git = (...args: string[]): string => {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};
const commit = `${git('rev-parse', '--short', 'HEAD') || 'unknown'}${git('status', '--porcelain', '--untracked-files=no') ? '+dirty' : ''}`;
// Resuming skips rows by their cell, whatever code wrote them; say so when the file holds rows of other code.
const otherCommits = [...new Set(existing.map((r) => r.commit ?? 'unrecorded'))].filter((c) => c !== commit);
if (otherCommits.length) process.stderr.write(`warning: ${values.rows} holds rows written by other code (${otherCommits.join(', ')}; now ${commit}); those cells are skipped, not re-run. Use a new --rows file after changing the code.\n`);

// Every row this invocation is asked for, to count progress and estimate what is left.
const planned: string[] = [];
for (const site of sites)
  for (const seed of seeds) {
    for (const strategy of strategies.filter((s) => BUDGET_FREE.has(s))) planned.push(heartRowKey({ site, seed, budget: null, strategy }));
    for (const budget of budgets) for (const strategy of strategies.filter((s) => !BUDGET_FREE.has(s))) planned.push(heartRowKey({ site, seed, budget, strategy }));
  }
const todo = planned.filter((k) => !done.has(k)).length;
process.stderr.write(
  `heart-loso: ${cohort.samples.length} patients (${quarantine.length} rows quarantined), backend ${backend}; ${sites.length} sites × ${seeds.length} seeds × ${budgets.length} budgets × ${strategies.length} strategies = ${planned.length} rows, ${planned.length - todo} already in ${values.rows}, ${todo} to run\n`,
);

const t0 = performance.now();
let finished = 0;
const fmt = (s: number): string => (s < 90 ? `${s.toFixed(0)} s` : s < 5400 ? `${(s / 60).toFixed(1)} min` : `${(s / 3600).toFixed(2)} h`);
const onRow = (r: HeartLosoRow): void => {
  finished++;
  const elapsed = (performance.now() - t0) / 1000;
  // The estimate assumes the rows left cost what the rows so far cost on average; strategies differ, so it firms up as the grid goes.
  const eta = (elapsed / finished) * (todo - finished);
  const what = r.error ? `error: ${r.error}` : `auroc ${r.auroc?.toFixed(3) ?? 'n/a'} brier ${r.brier?.toFixed(3)} kept ${r.kept_source_model === null ? '—' : r.kept_source_model ? 'yes' : 'no'}`;
  process.stderr.write(`[${finished}/${todo}] ${r.site} seed ${r.seed} budget ${r.budget ?? 'any'} ${r.strategy}: ${what} (${r.seconds.toFixed(1)} s); elapsed ${fmt(elapsed)}, left ~${fmt(eta)}\n`);
};
const cfg = parseExperiment({});
for (const site of sites) for (const seed of seeds) await runHeartCell({ samples: cohort.samples, schema: cohort.tabularSchema, cfg, rowsFile: values.rows, done, options, backend, commit, onRow }, site, seed, budgets, strategies);
process.stderr.write(`heart-loso: ${finished} rows in ${fmt((performance.now() - t0) / 1000)}; summarise with: npm run bench:heart:summary -- --rows ${values.rows}\n`);
