// Runs the demo pipeline at several seeds, appends one JSONL row per seed (bench/results/demo-seeds.jsonl)
// as each finishes, and writes the summary computed from the rows alone to docs/results-seeds.md.
// Usage: npm run bench:seeds -- [--seeds 42,43,...] [--resume] [--summary-only] [--out docs] [--jsonl file]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseExperiment } from '../src/config/experiment.js';
import { targetOnlyMethod } from '../src/pipeline/comparisons.js';
import { runExperiment } from '../src/pipeline/experiment.js';
import { describeCompute, toMetricsJson } from '../src/record/metrics-json.js';
import { writeFileAtomic } from '../src/util/fs.js';
import { demoSeedRow, demoSeedsMarkdown, parseDemoSeedRows, summariseDemoSeeds, type DemoSeedRow } from './lib/demo-seeds-summary.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '42,43,44,45,46,47,48,49,50,51' },
    out: { type: 'string', default: 'docs' },
    jsonl: { type: 'string', default: 'bench/results/demo-seeds.jsonl' },
    workspace: { type: 'string', default: './medtl-workspace' },
    /** Keep the rows already in the JSONL file and run only the seeds it lacks. */
    resume: { type: 'boolean', default: false },
    /** Run nothing: summarise the JSONL file's rows for the given seeds. */
    'summary-only': { type: 'boolean', default: false },
  },
});
const seeds = values.seeds.split(',').map((s) => {
  const n = Number(s.trim());
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--seeds: '${s}' is not a non-negative integer`);
  return n;
});
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();

const existing = existsSync(values.jsonl) ? parseDemoSeedRows(await readFile(values.jsonl, 'utf8'), values.jsonl) : [];
const keep = values.resume || values['summary-only'] ? existing : [];
await mkdir(dirname(values.jsonl), { recursive: true });
if (!values.resume && !values['summary-only']) await writeFile(values.jsonl, '');
const done = new Set(keep.map((r) => r.seed));
if (!values['summary-only']) {
  for (const seed of seeds.filter((s) => !done.has(s))) {
    process.stderr.write(`seed ${seed}...\n`);
    const cfg = parseExperiment({ name: 'lung-demo', seed, workspace: values.workspace }, '(demo)');
    const r = await runExperiment(cfg);
    const m = toMetricsJson(r);
    const row = demoSeedRow(m, r.seconds, commit, describeCompute(m), new Set(cfg.methods.filter(targetOnlyMethod).map((x) => x.name)));
    process.stderr.write(`  ${row.methods.map((x) => `${x.method}=${x.auroc?.toFixed(3)}`).join(' ')} (${r.seconds.toFixed(1)} s)\n`);
    // Appended as soon as the seed finishes, so an interrupted bench resumes with --resume.
    await appendFile(values.jsonl, `${JSON.stringify(row)}\n`);
    keep.push(row);
  }
}
const rows: DemoSeedRow[] = seeds.map((s) => {
  const r = keep.find((x) => x.seed === s);
  if (!r) throw new Error(`${values.jsonl} has no row for seed ${s}; run without --summary-only (or with --resume)`);
  return r;
});
const commits = [...new Set(rows.map((r) => r.commit))];
if (commits.length > 1) process.stderr.write(`warning: the rows come from ${commits.length} commits (${commits.join(', ')})\n`);
const summary = summariseDemoSeeds(rows);
const header = [
  '# Demo results across seeds',
  '',
  `Produced by \`npm run bench:seeds -- --seeds ${seeds.join(',')}\` (commit ${commits.join(', ')}), backend ${rows[0].backend}; per-seed rows in \`${values.jsonl}\`, from which this page is recomputed by \`npm run bench:seeds -- --summary-only --seeds ${seeds.join(',')}\`.`,
  `Each seed regenerates the synthetic cohort, the splits, the weight initialisation and the bootstrap; everything else is the \`medtl demo\` default (target \`${rows[0].target}\`, label budget 60, ${rows[0].n_test} target test subjects).`,
];
await mkdir(values.out, { recursive: true });
await writeFileAtomic(join(values.out, 'results-seeds.md'), demoSeedsMarkdown(summary, rows, header));
process.stderr.write(`wrote ${join(values.out, 'results-seeds.md')} from ${rows.length} rows of ${values.jsonl}\n`);
