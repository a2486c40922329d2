// Aggregates `bench:accuracy` rows over seeds into the JSON and Markdown that docs/ keeps.
import type { GridRow } from './accuracy-grid.js';

/** One aggregated cell: a target site × strategy × budget (× fusion for the lung part), over seeds. */
export interface SummaryEntry {
  readonly part: GridRow['part'];
  readonly target_site: string;
  readonly strategy: string;
  readonly budget: number | null;
  readonly fusion?: string;
  readonly modalities?: readonly string[];
  readonly auroc_mean: number | null;
  /** 95% t-interval of the mean over seeds, clipped to [0, 1] (null with fewer than 2 seeds or an undefined AUROC). */
  readonly auroc_ci: [number, number] | null;
  readonly accuracy_mean: number;
  readonly accuracy_ci: [number, number] | null;
  readonly n_seeds: number;
  readonly n_test: number;
  readonly n_labelled_mean: number;
  readonly seconds_mean: number;
  /** Seeds at which the strategy's multi-source report flagged a source as negative transfer, per source. */
  readonly negative_transfer_sources?: Readonly<Record<string, number>>;
}

// Two-sided 97.5% Student-t quantiles for 1..30 degrees of freedom.
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** Mean and 95% t-interval of values. */
export function meanCi(xs: readonly number[]): { mean: number; ci: [number, number] | null } {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci: null };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const h = (T975[Math.min(n - 1, T975.length) - 1] * sd) / Math.sqrt(n);
  // Metrics live in [0, 1]; a t-interval from 2 or 3 seeds can overshoot, so it is clipped there.
  return { mean, ci: [Math.max(0, mean - h), Math.min(1, mean + h)] };
}

/** Groups rows by cell and summarises each over its seeds. */
export function summarise(rows: readonly GridRow[]): SummaryEntry[] {
  const groups = new Map<string, GridRow[]>();
  for (const r of rows) {
    const k = [r.part, r.target_site, r.strategy, r.budget ?? '-', r.fusion ?? '', (r.modalities ?? []).join('+')].join('|');
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const r0 = g[0];
    const aucs = g.map((r) => r.auroc);
    const auc = aucs.every((a) => a !== null) ? meanCi(aucs as number[]) : null;
    const acc = meanCi(g.map((r) => r.accuracy));
    const neg: Record<string, number> = {};
    for (const r of g) for (const s of r.report?.negativeTransfer ?? []) neg[s] = (neg[s] ?? 0) + 1;
    return {
      part: r0.part,
      target_site: r0.target_site,
      strategy: r0.strategy,
      budget: r0.budget,
      ...(r0.fusion ? { fusion: r0.fusion } : {}),
      ...(r0.modalities ? { modalities: r0.modalities } : {}),
      auroc_mean: auc ? auc.mean : null,
      auroc_ci: auc ? auc.ci : null,
      accuracy_mean: acc.mean,
      accuracy_ci: acc.ci,
      n_seeds: g.length,
      n_test: r0.n_test,
      n_labelled_mean: g.reduce((a, r) => a + r.n_labelled, 0) / g.length,
      seconds_mean: g.reduce((a, r) => a + r.seconds, 0) / g.length,
      ...(Object.keys(neg).length || r0.report?.sources ? { negative_transfer_sources: neg } : {}),
    };
  });
}

const f3 = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : v.toFixed(3));
const cell = (mean: number | null, ci: [number, number] | null): string => (mean === null ? 'n/a' : ci ? `${f3(mean)} [${f3(ci[0])}, ${f3(ci[1])}]` : f3(mean));

/** Markdown tables: per target site, strategies × budgets, AUROC (95% CI) and accuracy. */
export function losoTables(entries: readonly SummaryEntry[], budgets: readonly number[]): string[] {
  const out: string[] = [];
  const loso = entries.filter((e) => e.part === 'loso');
  const sites = [...new Set(loso.map((e) => e.target_site))];
  const strategies = [...new Set(loso.map((e) => e.strategy))];
  for (const site of sites) {
    out.push('', `#### Target: ${site}`, '', `| strategy | ${budgets.map((b) => `${Math.round(b * 100)}% labels`).join(' | ')} |`, `|---|${budgets.map(() => '---').join('|')}|`);
    for (const s of strategies) {
      const cells = budgets.map((b) => {
        const e = loso.find((x) => x.target_site === site && x.strategy === s && x.budget === b);
        return e ? `${cell(e.auroc_mean, e.auroc_ci)} / ${f3(e.accuracy_mean)}` : '—';
      });
      out.push(`| ${s} | ${cells.join(' | ')} |`);
    }
  }
  return out;
}

/** For each target and budget, the strategies whose mean AUROC is below target-only's (they did not help). */
export function belowTargetOnly(entries: readonly SummaryEntry[]): { target_site: string; budget: number; target_only: number; worse: { strategy: string; auroc: number }[] }[] {
  const loso = entries.filter((e) => e.part === 'loso');
  const out: { target_site: string; budget: number; target_only: number; worse: { strategy: string; auroc: number }[] }[] = [];
  for (const base of loso.filter((e) => e.strategy === 'target_only' && e.auroc_mean !== null)) {
    const worse = loso
      .filter((e) => e.target_site === base.target_site && e.budget === base.budget && e.strategy !== 'target_only' && e.auroc_mean !== null && e.auroc_mean < base.auroc_mean!)
      .map((e) => ({ strategy: e.strategy, auroc: e.auroc_mean! }));
    out.push({ target_site: base.target_site, budget: base.budget!, target_only: base.auroc_mean!, worse });
  }
  return out;
}

export { f3, cell };
