// `npm run bench:flamby -- [--data-root dir] [--lambda λ] [--no-normalize] [--rows f.jsonl] [--out f.md]`:
// FLamby's Fed-Heart-Disease benchmark reproduced like for like, beside the leave-one-site-out grid.
//
// What FLamby does (flamby/datasets/fed_heart_disease/dataset.py, common.py, metric.py, read 8 Dec 2026),
// restated here rather than copied:
// - each processed.<centre>.data file: drop columns 10-12 (slope, ca, thal), then every row with a '?'
//   left: 740 patients (303 / 261 / 46 / 130);
// - label num > 0; features age, sex, cp, trestbps, chol, fbs, restecg, thalach, exang, oldpeak, with cp and
//   restecg one-hot (pandas get_dummies over the pooled rows, first category dropped): 13 columns. chol = 0
//   stays 0 (the manifest's "0 = not measured" does not apply);
// - one fixed per-centre split, sklearn train_test_split(train_size 0.66, random_state 43, stratified when
//   both classes have > 2 rows): bench/reference/flamby-heart-split.json, written by
//   bench/reference/flamby_heart_split.py (train/test 199/104, 172/89, 30/16, 85/45);
// - features standardised by the training rows' mean and sample sd (+1e-9): a centre's own training rows for
//   a local model, all training rows for pooled training and for the pooled test set;
// - a logistic regression (FLamby: torch Linear + sigmoid, Adam, 50 epochs); metric: accuracy at 0.5.
// Here the regression is fitted by the repo's penalised Newton solver (src/transfer/updating/logistic.ts),
// maximum likelihood by default (--lambda 0), not by 50 epochs of Adam.
import { readFileSync } from 'node:fs';
import { writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { accuracyOf, auroc, confusion } from '../src/evaluate/metrics.js';
import { fitLogistic, linearPredictor } from '../src/transfer/updating/logistic.js';

/** The FLamby centres in its own order (centre ids 0-3). */
export const FLAMBY_CENTRES = ['cleveland', 'hungarian', 'switzerland', 'va'] as const;

/** FLamby paper accuracies on the pooled test set (du Terrail et al., NeurIPS 2022), as quoted in issue 13: only these settings are like for like. */
export const FLAMBY_PUBLISHED: Readonly<Record<string, number>> = { pooled: 0.795, cleveland_only: 0.784, switzerland_only: 0.483 };

interface SplitFile {
  readonly centres: Record<string, { readonly kept_lines: readonly number[]; readonly test_lines: readonly number[] }>;
}

/** One FLamby patient: 10 raw features, label, centre, and whether it is in FLamby's test split. */
export interface FlambyRow {
  readonly centre: string;
  readonly raw: readonly number[];
  readonly y: 0 | 1;
  readonly test: boolean;
}

const USED = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/** Reads the four processed files as FLamby keeps them, checking the committed split file against our own missing-value filter. */
export function loadFlambyRows(root: string, split: SplitFile): FlambyRow[] {
  const rows: FlambyRow[] = [];
  for (const centre of FLAMBY_CENTRES) {
    const file = join(root, `processed.${centre}.data`);
    const s = split.centres[centre];
    if (!s) throw new Error(`flamby split file has no centre '${centre}'`);
    const test = new Set(s.test_lines);
    const kept: number[] = [];
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const cells = line.trim().split(',');
        if (cells.length !== 14) return;
        if ([...USED, 13].some((c) => cells[c] === '?')) return;
        const raw = USED.map((c) => Number(cells[c]));
        const num = Number(cells[13]);
        if (raw.some((v) => !Number.isFinite(v)) || !Number.isFinite(num)) throw new Error(`${file}:${i + 1}: a kept cell is not a number`);
        kept.push(i);
        rows.push({ centre, raw, y: num === 0 ? 0 : 1, test: test.has(i) });
      });
    if (kept.join(',') !== s.kept_lines.join(',')) throw new Error(`${file}: the rows kept here (${kept.length}) are not the split file's (${s.kept_lines.length}); regenerate bench/reference/flamby-heart-split.json`);
  }
  return rows;
}

/** The 13-column design: 8 numeric/binary columns, then one-hot cp and restecg without their first (lowest) category, as pandas get_dummies(drop_first=True). */
export function flambyDesign(rows: readonly FlambyRow[]): { names: string[]; x: number[][] } {
  const cats = (col: number): number[] => [...new Set(rows.map((r) => r.raw[col]))].sort((a, b) => a - b).slice(1);
  const cp = cats(2);
  const restecg = cats(6);
  const plain = [0, 1, 3, 4, 5, 7, 8, 9];
  const names = [...plain.map((c) => ['age', 'sex', 'cp', 'trestbps', 'chol', 'fbs', 'restecg', 'thalach', 'exang', 'oldpeak'][c]), ...cp.map((v) => `cp_${v}`), ...restecg.map((v) => `restecg_${v}`)];
  const x = rows.map((r) => [...plain.map((c) => r.raw[c]), ...cp.map((v) => (r.raw[2] === v ? 1 : 0)), ...restecg.map((v) => (r.raw[6] === v ? 1 : 0))]);
  return { names, x };
}

/** Column means and sample sds (n − 1, as torch.std) of the given rows. */
export function columnStats(x: readonly (readonly number[])[]): { mean: number[]; sd: number[] } {
  const k = x[0].length;
  const mean = Array.from({ length: k }, (_, j) => x.reduce((s, r) => s + r[j], 0) / x.length);
  const sd = Array.from({ length: k }, (_, j) => Math.sqrt(x.reduce((s, r) => s + (r[j] - mean[j]) ** 2, 0) / (x.length - 1)));
  return { mean, sd };
}

function designOf(x: readonly (readonly number[])[], stats: { mean: number[]; sd: number[] } | null): { n: number; k: number; x: Float64Array } {
  const k = x[0].length + 1;
  const out = new Float64Array(x.length * k);
  x.forEach((r, i) => {
    out[i * k] = 1;
    // FLamby divides by sd + 1e-9, so a constant column (Switzerland's chol, all 0) becomes 0 rather than NaN.
    r.forEach((v, j) => (out[i * k + 1 + j] = stats ? (v - stats.mean[j]) / (stats.sd[j] + 1e-9) : v));
  });
  return { n: x.length, k, x: out };
}

/** One FLamby-exact result row. */
export interface FlambyResult {
  readonly setting: string;
  readonly n_train: number;
  readonly train_positives: number;
  readonly n_test: number;
  readonly accuracy: number;
  readonly auroc: number;
  readonly converged: boolean;
  readonly iterations: number;
  readonly lambda: number;
  readonly normalize: boolean;
  readonly published: number | null;
}

/** Trains each FLamby setting (pooled, then each centre alone) and scores it on the pooled test set. */
export function runFlambyExact(rows: readonly FlambyRow[], opts: { lambda: number; normalize: boolean }): FlambyResult[] {
  const { x } = flambyDesign(rows);
  const train = rows.map((r, i) => i).filter((i) => !rows[i].test);
  const test = rows.map((r, i) => i).filter((i) => rows[i].test);
  const pooledStats = opts.normalize ? columnStats(train.map((i) => x[i])) : null;
  const testY = test.map((i) => rows[i].y);
  const settings: [string, number[]][] = [['pooled', train], ...FLAMBY_CENTRES.map((c): [string, number[]] => [`${c}_only`, train.filter((i) => rows[i].centre === c)])];
  const out: FlambyResult[] = [];
  for (const [setting, idx] of settings) {
    const stats = opts.normalize ? columnStats(idx.map((i) => x[i])) : null;
    const fit = fitLogistic(
      designOf(
        idx.map((i) => x[i]),
        stats,
      ),
      idx.map((i) => rows[i].y),
      { lambda: opts.lambda },
    );
    // FLamby's "Pooled Test" is FedHeartDisease(train=False, pooled=True): every test row standardised by the pooled training rows, whichever model scores it.
    const eta = linearPredictor(
      designOf(
        test.map((i) => x[i]),
        pooledStats,
      ),
      fit.theta,
    );
    const p = eta.map((v) => 1 / (1 + Math.exp(-v)));
    out.push({
      setting,
      n_train: idx.length,
      train_positives: idx.reduce((a, i) => a + rows[i].y, 0),
      n_test: test.length,
      accuracy: accuracyOf(confusion(testY, p, 0.5)),
      auroc: auroc(testY, p),
      converged: fit.converged,
      iterations: fit.iterations,
      lambda: opts.lambda,
      normalize: opts.normalize,
      published: FLAMBY_PUBLISHED[setting] ?? null,
    });
  }
  const positives = testY.reduce((a: number, b) => a + b, 0);
  // Constant predictions, to read the single-class rows against: accuracy is the test prevalence or its complement.
  for (const [setting, accuracy] of [
    ['every patient positive (no model)', positives / test.length],
    ['every patient negative (no model)', 1 - positives / test.length],
  ] as const) {
    out.push({ setting, n_train: 0, train_positives: 0, n_test: test.length, accuracy, auroc: 0.5, converged: true, iterations: 0, lambda: opts.lambda, normalize: opts.normalize, published: null });
  }
  return out;
}

/** Markdown table; the published column is filled only on FLamby's own settings. */
export function flambyTable(results: readonly FlambyResult[]): string[] {
  const out = ['| trained on | train (positives) / test | ours: accuracy | published accuracy | ours − published | ours: AUROC | Newton converged |', '|---|---|---|---|---|---|---|'];
  for (const r of results) {
    const pub = r.published;
    out.push(`| ${r.setting} | ${r.n_train ? `${r.n_train} (${r.train_positives})` : '—'} / ${r.n_test} | ${r.accuracy.toFixed(3)} | ${pub === null ? '—' : pub.toFixed(3)} | ${pub === null ? '—' : `${r.accuracy - pub >= 0 ? '+' : '−'}${Math.abs(r.accuracy - pub).toFixed(3)}`} | ${r.auroc.toFixed(3)} | ${r.iterations ? (r.converged ? `yes (${r.iterations} it.)` : `no (${r.iterations} it.)`) : '—'} |`);
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-root': { type: 'string', default: process.env.HEART_DISEASE_DATA ?? '../shared/data/uci-heart-disease' },
      split: { type: 'string', default: 'bench/reference/flamby-heart-split.json' },
      lambda: { type: 'string', default: '0' },
      'no-normalize': { type: 'boolean', default: false },
      rows: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const lambda = Number(values.lambda);
  if (!(lambda >= 0)) throw new Error(`--lambda: '${values.lambda}' is not a non-negative number`);
  const split = JSON.parse(readFileSync(values.split, 'utf8')) as SplitFile;
  const rows = loadFlambyRows(values['data-root'], split);
  const results = runFlambyExact(rows, { lambda, normalize: !values['no-normalize'] });
  const head = `FLamby-exact Fed-Heart-Disease: ${rows.length} patients (${rows.filter((r) => !r.test).length} train / ${rows.filter((r) => r.test).length} pooled test), logistic regression by Newton (λ = ${lambda}), features ${values['no-normalize'] ? 'not standardised' : 'standardised as FLamby does'}.`;
  const md = [head, '', ...flambyTable(results), ''].join('\n');
  process.stdout.write(md + '\n');
  if (values.out) {
    await mkdir(dirname(values.out), { recursive: true });
    await writeFile(values.out, md + '\n');
  }
  if (values.rows) {
    await mkdir(dirname(values.rows), { recursive: true });
    await writeFile(values.rows, results.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
