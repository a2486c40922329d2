// `npm run bench:heart:summary -- [--rows f] [--out f.md] [--json f.json] [--estimate sites,seeds,budgets]`:
// the heart-disease grid's tables, recomputed from its JSONL rows alone (bench/heart-loso.ts writes them).
// Per (site, budget, strategy): mean AUROC and Brier over seeds, the paired per-seed ΔAUROC and ΔBrier
// against source_only, ΔAUROC against the better of source_only / source_only_logistic and against the
// better of target_only / target_only_logistic (Student-t 95%
// intervals, pairedSeedComparison), the seeds whose model kept the source weights, and failed runs.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pairedSeedComparison, type PairedSeedComparison } from '../src/evaluate/paired-seeds.js';
import { readHeartRows, type HeartLosoRow } from './heart-loso-grid.js';

/** A paired comparison as the summary reports it. */
export interface DeltaCell {
  readonly reference: string;
  readonly mean: number;
  readonly ci: readonly [number, number];
  readonly n: number;
  readonly verdict: PairedSeedComparison['verdict'];
}

/** One (site, budget, strategy) cell over its seeds. */
export interface HeartCell {
  readonly site: string;
  readonly budget: number;
  readonly strategy: string;
  readonly n_seeds: number;
  readonly auroc_mean: number | null;
  readonly brier_mean: number | null;
  readonly delta_auroc_vs_source_only: DeltaCell | null;
  readonly delta_brier_vs_source_only: DeltaCell | null;
  /** Against the better (higher mean AUROC at this site) of source_only and source_only_logistic, where both ran. */
  readonly delta_auroc_vs_best_source: DeltaCell | null;
  /** Against the better (higher mean AUROC at this site and budget) of target_only and target_only_logistic, whichever ran. */
  readonly delta_auroc_vs_best_target: DeltaCell | null;
  /** Seeds whose model kept the source weights, of the seeds where that is defined. */
  readonly kept_source_model: { readonly kept: number; readonly of: number };
  readonly errors: readonly string[];
  readonly seconds_mean: number;
}

/** The target-only baselines; the better of those that ran is each cell's target-side reference. */
export const TARGET_BASELINES = ['target_only', 'target_only_logistic'] as const;

const mean = (xs: readonly number[]): number | null => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

function bySeed(rows: readonly HeartLosoRow[], metric: 'auroc' | 'brier'): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of rows) if (r[metric] !== null && !r.error) m.set(r.seed, r[metric]!);
  return m;
}

function delta(rows: readonly HeartLosoRow[], ref: readonly HeartLosoRow[], metric: 'auroc' | 'brier', reference: string): DeltaCell | null {
  const a = bySeed(rows, metric);
  const b = bySeed(ref, metric);
  if (![...a.keys()].some((s) => b.has(s))) return null;
  const c = pairedSeedComparison(a, b, { higherIsBetter: metric === 'auroc' });
  return { reference, mean: c.mean, ci: c.ci, n: c.n, verdict: c.verdict };
}

/** Groups rows into cells; a budget-free row (budget null) belongs to every budget that any row of its site has. */
export function summariseHeart(rows: readonly HeartLosoRow[]): HeartCell[] {
  const sites = [...new Set(rows.map((r) => r.site))].sort();
  const out: HeartCell[] = [];
  for (const site of sites) {
    const here = rows.filter((r) => r.site === site);
    const budgets = [...new Set(here.filter((r) => r.budget !== null).map((r) => r.budget!))].sort((a, b) => a - b);
    const strategies = [...new Set(here.map((r) => r.strategy))];
    const at = (strategy: string, budget: number): HeartLosoRow[] => here.filter((r) => r.strategy === strategy && (r.budget === budget || r.budget === null));
    const sourceOnly = here.filter((r) => r.strategy === 'source_only' && r.budget === null);
    const sourceLogistic = here.filter((r) => r.strategy === 'source_only_logistic' && r.budget === null);
    const aucOf = (rs: readonly HeartLosoRow[]): number => mean([...bySeed(rs, 'auroc').values()]) ?? -Infinity;
    const best = sourceOnly.length && sourceLogistic.length ? (aucOf(sourceLogistic) > aucOf(sourceOnly) ? { name: 'source_only_logistic', rows: sourceLogistic } : { name: 'source_only', rows: sourceOnly }) : null;
    for (const budget of budgets.length ? budgets : [0]) {
      const targets = TARGET_BASELINES.map((name) => ({ name, rows: here.filter((r) => r.strategy === name && r.budget === budget && !r.error) })).filter((t) => t.rows.length);
      const bestTarget = targets.length ? targets.reduce((a, b) => (aucOf(b.rows) > aucOf(a.rows) ? b : a)) : null;
      for (const strategy of strategies) {
        const cell = at(strategy, budget);
        if (!cell.length) continue;
        const ok = cell.filter((r) => !r.error);
        const keptDefined = ok.filter((r) => r.kept_source_model !== null);
        out.push({
          site,
          budget,
          strategy,
          n_seeds: ok.length,
          auroc_mean: mean(ok.filter((r) => r.auroc !== null).map((r) => r.auroc!)),
          brier_mean: mean(ok.filter((r) => r.brier !== null).map((r) => r.brier!)),
          delta_auroc_vs_source_only: strategy === 'source_only' || !sourceOnly.length ? null : delta(ok, sourceOnly, 'auroc', 'source_only'),
          delta_brier_vs_source_only: strategy === 'source_only' || !sourceOnly.length ? null : delta(ok, sourceOnly, 'brier', 'source_only'),
          delta_auroc_vs_best_source: !best || strategy === best.name ? null : delta(ok, best.rows, 'auroc', best.name),
          delta_auroc_vs_best_target: !bestTarget || strategy === bestTarget.name ? null : delta(ok, bestTarget.rows, 'auroc', bestTarget.name),
          kept_source_model: { kept: keptDefined.filter((r) => r.kept_source_model).length, of: keptDefined.length },
          errors: [...new Set(cell.filter((r) => r.error).map((r) => r.error!))],
          seconds_mean: mean(cell.map((r) => r.seconds)) ?? 0,
        });
      }
    }
  }
  return out;
}

const f3 = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(3));
const signed = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
const deltaText = (d: DeltaCell | null): string => (!d ? '—' : d.n < 2 ? `${signed(d.mean)} (1 seed)` : `${signed(d.mean)} [${signed(d.ci[0])}, ${signed(d.ci[1])}] ${d.verdict}`);

/** Markdown: one table per site and budget, strategies as rows. */
export function heartTables(cells: readonly HeartCell[]): string[] {
  const out: string[] = [];
  for (const site of [...new Set(cells.map((c) => c.site))]) {
    for (const budget of [...new Set(cells.filter((c) => c.site === site).map((c) => c.budget))]) {
      const rows = cells.filter((c) => c.site === site && c.budget === budget);
      const best = rows.find((c) => c.delta_auroc_vs_best_source)?.delta_auroc_vs_best_source?.reference;
      const bestT = rows.find((c) => c.delta_auroc_vs_best_target)?.delta_auroc_vs_best_target?.reference;
      out.push(
        '',
        `#### ${site}, ${Math.round(budget * 100)}% of the training pool labelled`,
        '',
        `| strategy | seeds | AUROC | Brier | ΔAUROC vs source_only [95% CI] | ΔBrier vs source_only [95% CI] |${best ? ` ΔAUROC vs best source (${best}) |` : ''}${bestT ? ` ΔAUROC vs best target-only (${bestT}) |` : ''} kept source model |`,
        `|---|---|---|---|---|---|${best ? '---|' : ''}${bestT ? '---|' : ''}---|`,
      );
      const failed = rows.filter((c) => c.n_seeds === 0);
      for (const c of rows.filter((x) => x.n_seeds > 0)) {
        const kept = c.kept_source_model.of ? `${c.kept_source_model.kept}/${c.kept_source_model.of}` : '—';
        const err = c.errors.length ? ` (failed: ${c.errors.join('; ')})` : '';
        out.push(`| ${c.strategy}${err} | ${c.n_seeds} | ${f3(c.auroc_mean)} | ${f3(c.brier_mean)} | ${deltaText(c.delta_auroc_vs_source_only)} | ${deltaText(c.delta_brier_vs_source_only)} |${best ? ` ${deltaText(c.delta_auroc_vs_best_source)} |` : ''}${bestT ? ` ${deltaText(c.delta_auroc_vs_best_target)} |` : ''} ${kept} |`);
      }
      if (failed.length) out.push('', `No model at any seed: ${failed.map((c) => `${c.strategy} (${c.errors.join('; ')})`).join(', ')}.`);
    }
  }
  return out;
}

/**
 * Projected wall time of a grid of `sites × seeds × budgets` from the mean seconds per row of each strategy in
 * the rows (budget-free strategies count once per site and seed). Strategies absent from the rows cannot be projected and are listed.
 */
export function estimateGrid(rows: readonly HeartLosoRow[], shape: { sites: number; seeds: number; budgets: number }, strategies: readonly string[]): { seconds: number; perStrategy: Record<string, number>; missing: string[] } {
  const perStrategy: Record<string, number> = {};
  const missing: string[] = [];
  let seconds = 0;
  for (const s of strategies) {
    const rs = rows.filter((r) => r.strategy === s);
    if (!rs.length) {
      missing.push(s);
      continue;
    }
    const per = rs.reduce((a, r) => a + r.seconds, 0) / rs.length;
    const count = shape.sites * shape.seeds * (rs[0].budget === null ? 1 : shape.budgets);
    perStrategy[s] = per;
    seconds += per * count;
  }
  return { seconds, perStrategy, missing };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: 'bench/results/heart-loso.jsonl' },
      out: { type: 'string' },
      json: { type: 'string' },
      estimate: { type: 'string' },
    },
  });
  if (!existsSync(values.rows)) throw new Error(`--rows: ${values.rows} does not exist (run npm run bench:heart first)`);
  const rows = await readHeartRows(values.rows);
  const cells = summariseHeart(rows);
  const seeds = [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b);
  const md = [
    `Heart-disease leave-one-site-out grid: ${rows.length} rows from \`${values.rows}\`, seeds ${seeds.join(', ')}, backend ${[...new Set(rows.map((r) => r.backend))].join(", ")}, code ${[...new Set(rows.map((r) => r.commit ?? "unrecorded"))].join(", ")}.`,
    'Δ = mean of per-seed paired differences (same test set per seed), Student-t 95% interval on seeds − 1 df;',
    '"better"/"worse" only where that interval excludes 0, otherwise "not shown". For Brier, lower is better.',
    ...heartTables(cells),
    '',
  ].join('\n');
  if (values.out) await writeFile(values.out, md + '\n');
  else process.stdout.write(md + '\n');
  if (values.json) await writeFile(values.json, JSON.stringify({ rows_file: values.rows, n_rows: rows.length, seeds, cells }, null, 1) + '\n');
  if (values.estimate) {
    const [sites, nSeeds, budgets] = values.estimate.split(',').map(Number);
    if (![sites, nSeeds, budgets].every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--estimate: '${values.estimate}' should be sites,seeds,budgets (three positive integers)`);
    const strategies = [...new Set(rows.map((r) => r.strategy))];
    const e = estimateGrid(rows, { sites, seeds: nSeeds, budgets }, strategies);
    process.stderr.write(
      `estimate for ${sites} sites × ${nSeeds} seeds × ${budgets} budgets of the ${strategies.length} strategies in the rows: ${(e.seconds / 3600).toFixed(2)} h of one process\n` +
        Object.entries(e.perStrategy)
          .map(([s, v]) => `  ${s}: ${v.toFixed(1)} s/row`)
          .join('\n') +
        '\n',
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
