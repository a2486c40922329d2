// `npm run bench:speed`: medtl against reference PyTorch scripts on the same machine, in one run.
//
//   npm run bench:speed                      # table
//   npm run bench:speed -- --json            # { "workloads": [ { name, medtl_per_s, torch_per_s, ratio, ... } ] }
//   npm run bench:speed -- --only mlp_train,cnn_train --reps 5 --threads 1,2
//   npm run bench:speed -- --only fusion_train,end_to_end --background-load 1
//
// Every figure runs in its own child process (so each carries its own peak RSS): medtl's in
// bench/speed-worker.ts (end_to_end: the `medtl` CLI itself), PyTorch's in bench/reference/*.py.
// end_to_end is the demo pipeline with the methods the PyTorch reference implements (PEER_METHODS in
// bench/lib/demo-export.ts: freeze_unfreeze on image+tabular, image and tabular, target_only, source_only):
// the demo's own list also has `auto` and logistic baselines, which bench/reference/demo_pipeline.py has no
// counterpart for. medtl runs it as `bin/medtl.js run <cache>/torch-bundle/experiment.yaml`, PyTorch on the
// same exported partitions.
// Each side is tried at every thread count in --threads and its best median is kept (PyTorch: intra-op
// threads, one inter-op thread; medtl: wasm threads, onnxruntime intra-op threads). end_to_end runs PyTorch at its
// best fusion_train thread count and medtl as `npx medtl run` runs by default, one thread per core (--e2e-threads
// sets another), which pretrains on worker threads; no untimed warm-up by default (--e2e-warmup): each rep is a
// fresh process, and the partition export reads the same cohort files first, so the page cache is already warm.
// The two sides alternate, so both see the same machine load. Before its timed repetitions each figure runs
// untimed for at least --warmup repetitions and --warmup-seconds seconds (default 1 and 1 s, the same rule on
// both sides): V8 compiles TF.js's hot paths over the first hundred or so training steps, and a 16-step
// repetition alone left medtl's first timed repetitions 10-30% slow.
// --background-load N runs N processes that each spin one core (bench/lib/background-load.ts) for the
// whole run, the documented stand-in for other processes busy on the machine; the JSON's machine
// block records N.

// The PyTorch interpreter is $MEDTL_BENCH_PYTHON, else /usr/bin/python3 (Debian's python3-torch), else python3.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startBackgroundLoad } from './lib/background-load.js';
import { lastJsonLine, runChild, stderrTail, type ChildRun } from './lib/child.js';
import { referenceAurocs, runAurocs, runEpochs } from './lib/run-json.js';
import { median } from './lib/stats.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORKLOADS = ['mlp_train', 'cnn_train', 'fusion_train', 'onnx_features', 'end_to_end'] as const;
type Workload = (typeof WORKLOADS)[number];
const UNITS: Record<Workload, string> = { mlp_train: 'samples/s', cnn_train: 'images/s', fusion_train: 'samples/s', onnx_features: 'images/s', end_to_end: 'runs/s' };
const TARGETS: Record<Workload, number> = { mlp_train: 1.0, cnn_train: 0.7, fusion_train: 1.0, onnx_features: 1.0, end_to_end: 1.0 };

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string', default: WORKLOADS.join(',') },
    reps: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    'warmup-seconds': { type: 'string', default: '1' },
    threads: { type: 'string', default: '1,2' },
    'e2e-reps': { type: 'string', default: '5' },
    'e2e-warmup': { type: 'string', default: '0' },
    'e2e-threads': { type: 'string', default: '' },
    'background-load': { type: 'string', default: '0' },
    cache: { type: 'string', default: join(os.tmpdir(), 'medtl-bench-speed') },
  },
});
const only = args.only.split(',').map((s) => s.trim()) as Workload[];
for (const w of only) if (!WORKLOADS.includes(w)) throw new Error(`--only: unknown workload '${w}'; workloads: ${WORKLOADS.join(', ')}`);
const threadCounts = args.threads.split(',').map(Number);
const reps = Number(args.reps);
if (!(reps >= 5)) process.stderr.write(`bench:speed: --reps ${reps} is below the 5 repetitions the published figures use\n`);
for (const key of ['warmup', 'warmup-seconds'] as const) {
  if (!(Number(args[key]) >= 0)) throw new Error(`--${key} must be a non-negative number, got '${args[key]}'`);
}
// medtl's end_to_end thread count: by default what `npx medtl run` uses, one per core.
const e2eThreads = args['e2e-threads'] ? Number(args['e2e-threads']) : os.availableParallelism();
if (!(Number.isInteger(e2eThreads) && e2eThreads >= 1)) throw new Error(`--e2e-threads must be a positive integer, got '${args['e2e-threads']}'`);
const backgroundLoad = Number(args['background-load']);
if (!(Number.isInteger(backgroundLoad) && backgroundLoad >= 0)) throw new Error(`--background-load must be a non-negative integer, got '${args['background-load']}'`);
const python = process.env.MEDTL_BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const cache = resolve(args.cache);
mkdirSync(cache, { recursive: true });
const log = (msg: string) => process.stderr.write(`bench:speed: ${msg}\n`);

/** One side's measurement of one workload at one thread count. */
interface SideResult {
  readonly per_s: number;
  readonly rates: readonly number[];
  readonly peak_rss_mb: number;
  readonly config: Record<string, unknown>;
}
type Outcome = { ok: true; result: SideResult } | { ok: false; error: string };

function parseChild(label: string, run: ChildRun): Outcome {
  const out = lastJsonLine<SideResult>(run.stdout);
  if (run.code === 0 && out) return { ok: true, result: out };
  if (run.code === 3) return { ok: false, error: `PyTorch side unavailable: ${stderrTail(run.stderr)}` };
  return { ok: false, error: `${label} exited with ${run.code}: ${stderrTail(run.stderr)}` };
}

const nodeArgs = ['--import', 'tsx'];
function medtlWorker(w: Workload, threads: number, extra: string[]): Promise<Outcome> {
  const a = [...nodeArgs, join(root, 'bench/speed-worker.ts'), w, '--threads', String(threads), '--reps', String(reps), '--warmup', args.warmup, '--warmup-seconds', args['warmup-seconds'], ...extra];
  return runChild(process.execPath, a).then((r) => parseChild(`medtl ${w}`, r));
}
function torchWorker(w: Workload, threads: number, extra: string[]): Promise<Outcome> {
  const a = [join(root, 'bench/reference/workloads.py'), w, '--intra', String(threads), '--interop', '1', '--reps', String(reps), '--warmup', args.warmup, '--warmup-seconds', args['warmup-seconds'], ...extra];
  return runChild(python, a, torchEnv(threads)).then((r) => parseChild(`PyTorch ${w}`, r));
}

/**
 * PyTorch's environment for n threads. torch.set_num_threads does not reach the BLAS library that
 * Debian's torch calls (OpenBLAS, with one thread per core by default), so without these a
 * "1 thread" PyTorch run multiplies matrices on every core.
 */
function torchEnv(threads: number): NodeJS.ProcessEnv {
  const n = String(threads);
  return { ...process.env, OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

/** A workload's row of the report. */
interface Row {
  name: Workload;
  unit: string;
  target: number;
  medtl_per_s: number | null;
  torch_per_s: number | null;
  ratio: number | null;
  medtl_peak_rss_mb: number | null;
  torch_peak_rss_mb: number | null;
  medtl_config?: Record<string, unknown>;
  torch_config?: Record<string, unknown>;
  medtl_rates?: readonly number[];
  torch_rates?: readonly number[];
  /** Median per thread count, per side: how the best configuration was chosen. */
  trials: { side: 'medtl' | 'torch'; threads: number; per_s: number | null; error?: string }[];
  errors: string[];
  notes?: Record<string, unknown>;
}

function row(name: Workload): Row {
  return { name, unit: UNITS[name], target: TARGETS[name], medtl_per_s: null, torch_per_s: null, ratio: null, medtl_peak_rss_mb: null, torch_peak_rss_mb: null, trials: [], errors: [] };
}

function finish(r: Row, medtl: SideResult | undefined, torch: SideResult | undefined): Row {
  if (medtl) Object.assign(r, { medtl_per_s: medtl.per_s, medtl_peak_rss_mb: medtl.peak_rss_mb, medtl_config: medtl.config, medtl_rates: medtl.rates });
  if (torch) Object.assign(r, { torch_per_s: torch.per_s, torch_peak_rss_mb: torch.peak_rss_mb, torch_config: torch.config, torch_rates: torch.rates });
  if (medtl && torch) r.ratio = medtl.per_s / torch.per_s;
  return r;
}

// PyTorch's best fusion_train thread count, which its end_to_end run uses.
const best: { torch?: number } = {};

/** Runs a micro-workload on both sides at every thread count (alternating sides) and keeps each side's best. */
async function microWorkload(w: Workload, medtlExtra: string[], torchExtra: string[]): Promise<Row> {
  const r = row(w);
  let m: SideResult | undefined;
  let t: SideResult | undefined;
  for (const n of threadCounts) {
    log(`${w}: medtl, ${n} thread(s)`);
    const mo = await medtlWorker(w, n, medtlExtra);
    r.trials.push({ side: 'medtl', threads: n, per_s: mo.ok ? mo.result.per_s : null, ...(mo.ok ? {} : { error: mo.error }) });
    if (mo.ok && (!m || mo.result.per_s > m.per_s)) m = mo.result;
    if (!mo.ok) r.errors.push(mo.error);
    log(`${w}: PyTorch, ${n} thread(s)`);
    const to = await torchWorker(w, n, torchExtra);
    r.trials.push({ side: 'torch', threads: n, per_s: to.ok ? to.result.per_s : null, ...(to.ok ? {} : { error: to.error }) });
    if (to.ok && (!t || to.result.per_s > t.per_s)) t = to.result;
    if (!to.ok) r.errors.push(to.error);
  }
  if (w === 'fusion_train') {
    best.torch = r.trials.filter((x) => x.side === 'torch' && x.per_s !== null).sort((a, b) => b.per_s! - a.per_s!)[0]?.threads;
  }
  r.errors = [...new Set(r.errors)];
  return finish(r, m, t);
}

/** Writes the ResNet-18 ONNX file with the reference script (torch.onnx.export) unless the cache has it. */
async function resnetOnnx(): Promise<string> {
  const file = join(cache, 'resnet18-features.onnx');
  if (existsSync(file)) return file;
  log(`exporting ResNet-18 to ${file} (torch.onnx.export)`);
  const run = await runChild(python, [join(root, 'bench/reference/workloads.py'), 'export_resnet18', '--out', file]);
  if (run.code === 3) throw new Error(`PyTorch side unavailable, so the ONNX model cannot be exported: ${stderrTail(run.stderr)}`);
  if (run.code !== 0 || !existsSync(file)) throw new Error(`exporting ResNet-18 failed (exit ${run.code}): ${stderrTail(run.stderr)}`);
  return file;
}

/** Exports the demo's partitions (generating the cohort in the bench workspace if needed); returns the demo's tabular width. */
async function demoBundle(workspace: string, bundle: string): Promise<number> {
  const run = await runChild(process.execPath, [...nodeArgs, join(root, 'bench/lib/demo-export.ts'), '--workspace', workspace, '--out', bundle]);
  const out = lastJsonLine<{ tabularDim: number }>(run.stdout);
  if (run.code !== 0 || !out) throw new Error(`exporting the demo partitions failed (exit ${run.code}): ${stderrTail(run.stderr)}`);
  return out.tabularDim;
}

/** `medtl run` on the peer-method demo experiment (one thread per core, its default) against bench/reference/demo_pipeline.py (its best fusion_train thread count), alternating. */
async function endToEnd(workspace: string, bundle: string): Promise<Row> {
  const r = row('end_to_end');
  const mThreads = e2eThreads;
  const tThreads = best.torch ?? 1;
  const rssFile = join(cache, 'medtl-demo.rss');
  // Users run the compiled CLI (`npx medtl run` -> bin/medtl.js -> dist/), so that is what is
  // timed, after a fresh build so dist/ matches the source.
  log('end_to_end: building dist/ (tsc -p tsconfig.build.json)');
  const build = await runChild(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')]);
  if (build.code !== 0) throw new Error(`building dist/ failed (exit ${build.code}): ${stderrTail(build.stdout + build.stderr)}`);
  const medtlRun = async (): Promise<Outcome & { seconds?: number; json?: unknown }> => {
    rmSync(rssFile, { force: true });
    // bin/medtl.js runs as an executable, as `npx medtl` runs it, so its shebang's V8 flags apply;
    // the RSS probe comes in through NODE_OPTIONS.
    const nodeOptions = [process.env.NODE_OPTIONS ?? '', `--import=${join(root, 'bench/lib/rss-on-exit.mjs')}`].join(' ').trim();
    const run = await runChild(
      join(root, 'bin/medtl.js'),
      ['run', join(bundle, 'experiment.yaml'), '--workspace', workspace, '--quiet', '--json'],
      { ...process.env, NODE_OPTIONS: nodeOptions, MEDTL_WASM_THREADS: String(mThreads), MEDTL_BENCH_RSS_FILE: rssFile },
    );
    if (run.code !== 0) return { ok: false, error: `medtl run exited with ${run.code}: ${stderrTail(run.stderr)}` };
    const rss = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) / 1024 : NaN;
    let json: unknown;
    try {
      json = JSON.parse(run.stdout);
    } catch {
      json = lastJsonLine(run.stdout);
    }
    return { ok: true, result: { per_s: 1 / run.seconds, rates: [], peak_rss_mb: rss, config: { wasm_threads: mThreads } }, seconds: run.seconds, json };
  };
  const torchRun = async (): Promise<Outcome & { seconds?: number; json?: unknown }> => {
    const run = await runChild(python, [join(root, 'bench/reference/demo_pipeline.py'), bundle, join(cache, 'torch-demo-out'), '--intra', String(tThreads), '--interop', '1'], torchEnv(tThreads));
    const out = lastJsonLine<{ peak_rss_mb: number; config: Record<string, unknown> }>(run.stdout);
    if (run.code === 3) return { ok: false, error: `PyTorch side unavailable: ${stderrTail(run.stderr)}` };
    if (run.code !== 0 || !out) return { ok: false, error: `demo_pipeline.py exited with ${run.code}: ${stderrTail(run.stderr)}` };
    return { ok: true, result: { per_s: 1 / run.seconds, rates: [], peak_rss_mb: out.peak_rss_mb, config: out.config }, seconds: run.seconds, json: out };
  };
  const mSec: number[] = [];
  const tSec: number[] = [];
  let mRss = 0;
  let tRss = 0;
  let tConfig: Record<string, unknown> = {};
  let mJson: unknown;
  let tJson: unknown;
  const total = Number(args['e2e-warmup']) + Number(args['e2e-reps']);
  for (let i = 0; i < total; i++) {
    const timed = i >= Number(args['e2e-warmup']);
    log(`end_to_end ${timed ? `rep ${i - Number(args['e2e-warmup']) + 1}` : 'warm-up'}: medtl run experiment.yaml (${mThreads} wasm threads)`);
    const m = await medtlRun();
    log(`end_to_end ${timed ? `rep ${i - Number(args['e2e-warmup']) + 1}` : 'warm-up'}: PyTorch demo_pipeline.py (${tThreads} intra-op threads)`);
    const t = await torchRun();
    if (!m.ok) r.errors.push(m.error);
    if (!t.ok) r.errors.push(t.error);
    if (!m.ok && !t.ok) break;
    if (m.ok) {
      mRss = Math.max(mRss, m.result.peak_rss_mb);
      mJson = m.json;
      if (timed) mSec.push(m.seconds!);
    }
    if (t.ok) {
      tRss = Math.max(tRss, t.result.peak_rss_mb);
      tConfig = t.result.config;
      tJson = t.json;
      if (timed) tSec.push(t.seconds!);
    }
  }
  r.errors = [...new Set(r.errors)];
  const side = (sec: number[], rss: number, config: Record<string, unknown>): SideResult | undefined =>
    sec.length ? { per_s: 1 / median(sec), rates: sec.map((s) => 1 / s), peak_rss_mb: rss, config } : undefined;
  finish(r, side(mSec, mRss, { wasm_threads: mThreads, command: 'bin/medtl.js run torch-bundle/experiment.yaml --quiet --json' }), side(tSec, tRss, tConfig));
  r.notes = {
    medtl_seconds: mSec,
    torch_seconds: tSec,
    medtl_aurocs: runAurocs(mJson),
    torch_aurocs: referenceAurocs(tJson),
    // Early stopping makes each side train for its own number of epochs; these say how much work each did.
    medtl_epochs: medtlEpochs((mJson as { run_dir?: string } | undefined)?.run_dir),
    torch_epochs: (tJson as { epochs?: unknown } | undefined)?.epochs,
  };
  return r;
}

/** Epochs per phase of each method of a medtl run, from its run record's history.json. */
function medtlEpochs(runDir: string | undefined): Record<string, number[]> | undefined {
  if (!runDir || !existsSync(join(runDir, 'history.json'))) return undefined;
  return runEpochs(JSON.parse(readFileSync(join(runDir, 'history.json'), 'utf8')));
}


function fmt(x: number | null, digits = 0): string {
  if (x === null || !Number.isFinite(x)) return '-';
  return x >= 100 || digits === 0 ? x.toFixed(x < 10 ? 3 : 0) : x.toFixed(digits);
}

function table(rows: Row[]): string {
  const lines = [
    ['workload', 'unit', 'medtl', 'PyTorch', 'ratio', 'target', 'medtl RSS MB', 'torch RSS MB', 'medtl cfg', 'torch cfg'],
    ...rows.map((r) => [
      r.name,
      r.unit,
      fmt(r.medtl_per_s),
      fmt(r.torch_per_s),
      r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
      `>= ${r.target.toFixed(1)}x`,
      fmt(r.medtl_peak_rss_mb),
      fmt(r.torch_peak_rss_mb),
      r.medtl_config ? String(r.medtl_config.wasm_threads ?? r.medtl_config.intra_op_threads ?? '') + ' thr' : '-',
      r.torch_config ? `${String(r.torch_config.intra_op_threads)} intra/${String(r.torch_config.interop_threads)} inter` : '-',
    ]),
  ];
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  const rows: Row[] = [];
  const load = startBackgroundLoad(backgroundLoad);
  if (backgroundLoad > 0) log(`background load: ${backgroundLoad} spinning process(es)`);
  try {
    await runWorkloads(rows);
  } finally {
    await load.stop();
  }
  report(rows, started);
}

async function runWorkloads(rows: Row[]): Promise<void> {
  const workspace = join(cache, 'workspace');
  const bundle = join(cache, 'torch-bundle');
  let tabDim = 17;
  if (only.includes('fusion_train') || only.includes('end_to_end')) {
    log('exporting the demo partitions for the PyTorch pipeline');
    tabDim = await demoBundle(workspace, bundle);
  }
  for (const w of only) {
    if (w === 'end_to_end') continue;
    if (w === 'onnx_features') {
      let file: string;
      try {
        file = await resnetOnnx();
      } catch (e) {
        rows.push({ ...row(w), errors: [(e as Error).message] });
        continue;
      }
      rows.push(await microWorkload(w, ['--model', file], []));
    } else if (w === 'fusion_train') {
      const extra = ['--tab-dim', String(tabDim), '--image-size', '32', '--samples', '256'];
      rows.push(await microWorkload(w, extra, extra));
    } else rows.push(await microWorkload(w, [], []));
  }
  if (only.includes('end_to_end')) rows.push(await endToEnd(workspace, bundle));
}

function report(rows: Row[], started: string): void {
  const machine = {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    python,
    background_load: backgroundLoad,
    load_avg_at_end: os.loadavg().map((x) => Number(x.toFixed(2))),
    started,
    finished: new Date().toISOString(),
    method: { reps, warmup_reps: Number(args.warmup), warmup_seconds: Number(args['warmup-seconds']), e2e_reps: Number(args['e2e-reps']), e2e_warmup: Number(args['e2e-warmup']) },
  };
  if (args.json) {
    console.log(JSON.stringify({ workloads: rows, machine }, null, 2));
    return;
  }
  console.log(table(rows));
  for (const r of rows) for (const e of r.errors) console.log(`${r.name}: ${e}`);
  console.log(`\n${machine.nproc} cores (${machine.cpu}), node ${machine.node}; medians of ${reps} reps after >= ${args.warmup} rep(s) and ${args['warmup-seconds']} s of warm-up (end_to_end: ${args['e2e-reps']} reps); background load ${backgroundLoad}; load average at end ${machine.load_avg_at_end.join(' ')}`);
}

await main();
