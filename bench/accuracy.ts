// `npm run bench:accuracy`: transfer strategies on UCI heart disease (4 hospitals, leave-one-site-out,
// label budgets, seeds), a FLamby-style pooled-test comparison, and the synthetic lung cohort
// (fusion types × key strategies). Rows are appended to --rows as they finish, so an interrupted run
// resumes with --resume; the summary goes to docs/benchmarks-accuracy.json and docs/benchmarks.md.
// Its heart-disease parts (loso, flamby) are superseded by `npm run bench:heart` (paired per-seed deltas from
// committed JSONL rows) and `npm run bench:flamby` (FLamby-exact); docs/benchmarks.md marks their old figures removed.
//
//   npm run bench:accuracy                                   # full grid (long: see docs/benchmarks.md)
//   npm run bench:accuracy -- --targets switzerland --seeds 1 --budgets 0,0.25 --strategies target_only,coral
//   npm run bench:accuracy -- --parts lung --lung-seeds 1
//   npm run bench:accuracy -- --summarise-only               # rebuild docs from the rows file
//
// --manifest     site manifest of the heart-disease data (default examples/heart-disease/manifest.yaml)
// --data-root    data folder overriding the manifest's root (or set HEART_DISEASE_DATA)
// --targets      target sites (default: every site)        --strategies  default: every registered one
// --budgets      label-budget fractions (default 0,0.1,0.25,0.5,1)   --seeds  count or list (default 5)
// --parts        loso,flamby,lung (default all)            --rows  rows file (default tmp/bench-accuracy/rows.jsonl)
// --resume       keep the rows file and skip finished cells  --no-docs  do not touch docs/
// --da-epochs    adaptation epochs of coral, mmd and dann (default 10, to keep the grid affordable)
// --note         a paragraph placed under the Accuracy heading (e.g. how a split run was done)
// --lung-seeds   number of lung seeds (default 1)      --lung-strategies  default target_only,source_only,full_finetune,coral,dann
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { initCompute } from '../src/compute/index.js';
import { parseExperiment } from '../src/config/experiment.js';
import { loadManifestCohort } from '../src/data/manifest/index.js';
import { listStrategies } from '../src/transfer/registry.js';
import { writeJsonAtomic } from '../src/util/fs.js';
import { rowKey, runFlambyCell, runLosoCell, type GridRow, type GridSetup } from './accuracy-grid.js';
import { runLungGrid } from './accuracy-lung.js';
import { writeAccuracyDocs } from './accuracy-docs.js';

const { values } = parseArgs({
  options: {
    manifest: { type: 'string', default: 'examples/heart-disease/manifest.yaml' },
    'data-root': { type: 'string' },
    targets: { type: 'string' },
    strategies: { type: 'string' },
    budgets: { type: 'string', default: '0,0.1,0.25,0.5,1' },
    seeds: { type: 'string', default: '5' },
    parts: { type: 'string', default: 'loso,flamby,lung' },
    'lung-seeds': { type: 'string', default: '1' },
    rows: { type: 'string', default: 'tmp/bench-accuracy/rows.jsonl' },
    resume: { type: 'boolean', default: false },
    'summarise-only': { type: 'boolean', default: false },
    'no-docs': { type: 'boolean', default: false },
    'da-epochs': { type: 'string', default: '10' },
    'lung-strategies': { type: 'string' },
    note: { type: 'string', default: '' },
  },
});

const list = (s: string | undefined): string[] | undefined => s?.split(',').map((x) => x.trim()).filter(Boolean);
const seedsOf = (s: string): number[] => (s.includes(',') ? s.split(',').map(Number) : Array.from({ length: Number(s) }, (_, i) => i + 1));
const budgets = list(values.budgets)!.map(Number);
const seeds = seedsOf(values.seeds);
const parts = new Set(list(values.parts));
const strategies = list(values.strategies) ?? listStrategies();
for (const s of strategies) if (!listStrategies().includes(s)) throw new Error(`--strategies: unknown strategy '${s}'; known: ${listStrategies().join(', ')}`);
for (const b of budgets) if (!(b >= 0 && b <= 1)) throw new Error(`--budgets: ${b} is not a fraction in [0, 1]`);

const t0 = performance.now();
await mkdir(dirname(values.rows), { recursive: true });
if (!values.resume && !values['summarise-only']) await writeFile(values.rows, '');
const readRows = async (): Promise<GridRow[]> =>
  existsSync(values.rows)
    ? (await readFile(values.rows, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as GridRow)
    : [];

if (!values['summarise-only']) {
  const compute = await initCompute({ log: (m) => process.stderr.write(`${m}\n`) });
  process.stderr.write(`backend ${compute.backend}\n`);
  const cfg = parseExperiment({});
  const done = new Set((await readRows()).map(rowKey));
  const da = { epochs: Number(values['da-epochs']) };
  const daOptions = { coral: da, mmd: da, dann: da };
  const log = (line: string) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}\n`);
  if (parts.has('loso') || parts.has('flamby')) {
    const { cohort, quarantine } = await loadManifestCohort(values.manifest, values['data-root'] ? { root: values['data-root'] } : {});
    log(`heart disease: ${cohort.samples.length} patients from ${cohort.sites.map((s) => s.id).join(', ')} (${quarantine.length} rows quarantined)`);
    const setup: GridSetup = { samples: cohort.samples, schema: cohort.tabularSchema, cfg, rowsFile: values.rows, done, log, options: daOptions };
    const sites = cohort.sites.map((s) => s.id);
    const targets = list(values.targets) ?? sites;
    for (const seed of seeds) {
      if (parts.has('flamby')) await runFlambyCell(setup, sites, seed);
      if (parts.has('loso')) for (const target of targets) await runLosoCell(setup, target, seed, budgets, strategies);
    }
  }
  if (parts.has('lung')) await runLungGrid({ rowsFile: values.rows, done, log, seeds: seedsOf(values['lung-seeds']), strategies: list(values['lung-strategies']), options: daOptions });
}

const rows = await readRows();
const wallSeconds = (performance.now() - t0) / 1000;
if (!values['no-docs']) {
  await writeAccuracyDocs(rows, { budgets, command: process.argv.slice(2).filter((a, i, all) => a !== '--note' && all[i - 1] !== '--note').join(' '), note: values.note, wallSeconds: values['summarise-only'] ? null : wallSeconds, writeJson: (p, v) => writeJsonAtomic(p, v) });
  process.stderr.write(`wrote docs/benchmarks-accuracy.json and the Accuracy section of docs/benchmarks.md (${rows.length} rows)\n`);
}
process.stderr.write(`wall time ${wallSeconds.toFixed(0)} s\n`);
