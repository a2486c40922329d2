// The demo-seeds benchmark's per-seed rows and the summary computed from them alone, so any
// summary can be recomputed from the committed JSONL.
import { pairedTInterval, type PairedMeanDifference } from '../../src/evaluate/paired.js';
import type { FoldShiftJson, MetricsJson } from '../../src/record/metrics-json.js';
import { primaryMethod } from '../../src/report/report-data.js';

/** One seed of the demo: every method's target-test AUROC and the fold's shift summary (one JSONL line). */
export interface DemoSeedRow {
  readonly seed: number;
  /** Commit of the code that produced the row (`git rev-parse HEAD`), or 'unknown'. */
  readonly commit: string;
  readonly backend: string;
  readonly seconds: number;
  readonly target: string;
  readonly n_test: number;
  readonly methods: readonly {
    readonly method: string;
    readonly strategy: string;
    readonly auroc: number | null;
    readonly auroc_ci: readonly [number | null, number | null];
    readonly kept_source_model: boolean | null;
    /** Whether the method learns from the target budget alone (targetOnlyMethod in src/pipeline/comparisons.ts); rows before 8 Dec lack it. */
    readonly target_only?: boolean;
  }[];
  readonly shift: FoldShiftJson | null;
}

/** The row of one seed's hold-out demo run, from its metrics document. */
export function demoSeedRow(m: MetricsJson, seconds: number, commit: string, backend: string, targetOnly: ReadonlySet<string> = new Set()): DemoSeedRow {
  const fold = m.folds[0];
  return {
    seed: m.seed,
    commit,
    backend,
    seconds,
    target: fold.target,
    n_test: fold.partitions.target_test,
    methods: fold.methods.map((x) => ({ method: x.method, strategy: x.strategy, auroc: x.auroc, auroc_ci: x.auroc_ci, kept_source_model: x.kept_source_model ?? null, target_only: targetOnly.has(x.method) })),
    shift: fold.shift ?? null,
  };
}

/** Parses JSONL rows, naming the line of any that is not a row. */
export function parseDemoSeedRows(text: string, file: string): DemoSeedRow[] {
  return text
    .split('\n')
    .map((line, i) => ({ line: line.trim(), i }))
    .filter((x) => x.line !== '')
    .map(({ line, i }) => {
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch (e) {
        throw new Error(`${file}: line ${i + 1} is not JSON (${(e as Error).message})`, { cause: e });
      }
      const r = row as Partial<DemoSeedRow>;
      if (typeof r.seed !== 'number' || !Array.isArray(r.methods)) throw new Error(`${file}: line ${i + 1} is not a demo-seeds row (needs a numeric seed and a methods array)`);
      return r as DemoSeedRow;
    });
}

/** A method over the seeds: mean AUROC, and the paired per-seed differences against the references. */
export interface MethodSummary {
  readonly method: string;
  readonly strategy: string;
  readonly auroc: PairedMeanDifference;
  readonly vsSourceOnly: PairedMeanDifference | null;
  readonly vsTargetOnly: PairedMeanDifference | null;
  /** Seeds where the method kept the source model unchanged. */
  readonly keptSource: number;
}

/** The summary of a set of seeds. */
export interface DemoSeedsSummary {
  readonly seeds: readonly number[];
  /** The first method with strategy source_only, if any. */
  readonly sourceOnly: string | null;
  /** Of the target-only methods (rows' `target_only`, else a strategy starting with target_only), the one with the highest mean AUROC. */
  readonly bestTargetOnly: string | null;
  /** The method `medtl demo` presents as its result (the first that is neither source_only nor target-only). */
  readonly primary: string;
  readonly methods: readonly MethodSummary[];
  /** Mean over seeds of the source_only shift penalty and the oracle ceiling, where the rows have them. */
  readonly shift: { readonly penalty: PairedMeanDifference | null; readonly sourceTest: PairedMeanDifference | null; readonly targetTest: PairedMeanDifference | null; readonly oracle: PairedMeanDifference | null; readonly sourceRisk: PairedMeanDifference | null };
}

const isTargetOnly = (strategy: string): boolean => strategy === 'target_only' || strategy.startsWith('target_only_');
const isSourceOnly = (strategy: string): boolean => strategy === 'source_only' || strategy.startsWith('source_only_');

function aurocOf(row: DemoSeedRow, method: string): number {
  const a = row.methods.find((m) => m.method === method)?.auroc;
  if (a === undefined || a === null) throw new Error(`seed ${row.seed}: method '${method}' has no AUROC; every seed must run the same methods`);
  return a;
}

function meanOf(xs: readonly (number | null | undefined)[]): PairedMeanDifference | null {
  if (xs.length === 0 || xs.some((x) => x === null || x === undefined)) return null;
  return pairedTInterval(xs as number[]);
}

/**
 * Summarises seeds from their rows alone: each method's mean AUROC with its t-interval, and the mean
 * paired per-seed difference (both methods on the same seed's cohort, splits and test set) against
 * source_only and against the best target-only baseline, each with a Student-t 95% interval.
 */
export function summariseDemoSeeds(rows: readonly DemoSeedRow[]): DemoSeedsSummary {
  if (rows.length === 0) throw new Error('no demo-seeds rows to summarise');
  const seeds = rows.map((r) => r.seed);
  if (new Set(seeds).size !== seeds.length) throw new Error(`a seed appears twice in the rows (${seeds.join(', ')}); pairs must be one per seed`);
  const methods = rows[0].methods.map((m) => ({ method: m.method, strategy: m.strategy, targetOnly: m.target_only }));
  const names = methods.map((m) => m.method).join(',');
  for (const r of rows) {
    if (r.methods.map((m) => m.method).join(',') !== names) throw new Error(`seed ${r.seed} ran methods ${r.methods.map((m) => m.method).join(', ')}, seed ${rows[0].seed} ran ${names}; every seed must run the same methods`);
  }
  const mean = (method: string) => pairedTInterval(rows.map((r) => aurocOf(r, method)));
  const sourceOnly = methods.find((m) => m.strategy === 'source_only')?.method ?? null;
  const targetOnly = methods.filter((m) => m.targetOnly ?? isTargetOnly(m.strategy));
  const bestTargetOnly = targetOnly.length ? targetOnly.reduce((best, m) => (mean(m.method).mean > mean(best.method).mean ? m : best)).method : null;
  const vs = (method: string, ref: string | null) => (ref === null || ref === method ? null : pairedTInterval(rows.map((r) => aurocOf(r, method) - aurocOf(r, ref))));
  return {
    seeds,
    sourceOnly,
    bestTargetOnly,
    // Baselines (source_only_logistic, target_only_logistic) are references, never the primary method.
    primary: primaryMethod(methods.map((m) => ({ method: m.method, strategy: isTargetOnly(m.strategy) ? 'target_only' : isSourceOnly(m.strategy) ? 'source_only' : m.strategy }))),
    methods: methods.map((m) => ({
      method: m.method,
      strategy: m.strategy,
      auroc: mean(m.method),
      vsSourceOnly: vs(m.method, sourceOnly),
      vsTargetOnly: vs(m.method, bestTargetOnly),
      keptSource: rows.filter((r) => r.methods.find((x) => x.method === m.method)?.kept_source_model === true).length,
    })),
    shift: {
      penalty: meanOf(rows.map((r) => r.shift?.penalty?.difference)),
      sourceTest: meanOf(rows.map((r) => r.shift?.penalty?.source_test.auroc)),
      targetTest: meanOf(rows.map((r) => r.shift?.penalty?.target_test.auroc)),
      oracle: meanOf(rows.map((r) => r.shift?.oracle?.auroc)),
      // The demo's sources share one risk function; with several, their mean per seed.
      sourceRisk: meanOf(rows.map((r) => { const s = r.shift?.oracle?.source_risk; return s && s.length && s.every((x) => x.auroc !== null) ? s.reduce((a, x) => a + (x.auroc as number), 0) / s.length : null; })),
    },
  };
}

const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');
const signed = (v: number): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)}` : 'n/a');
const interval = (d: PairedMeanDifference, fmt = signed): string => `${fmt(d.mean)} [${fmt(d.ci[0])}, ${fmt(d.ci[1])}]`;

/** "better" or "worse" only where the paired interval excludes 0. */
export function verdict(d: PairedMeanDifference | null): string {
  if (!d || !Number.isFinite(d.ci[0])) return 'n/a';
  return d.ci[0] > 0 ? 'better' : d.ci[1] < 0 ? 'worse' : 'not shown';
}

/** Whether a method meets the demo's acceptance against one reference: mean gain ≥ 0.03 with the paired interval above 0. */
export function meetsAcceptance(d: PairedMeanDifference | null): boolean {
  return d !== null && d.mean >= 0.03 && d.ci[0] > 0;
}

/** The markdown page of a summary and its rows. */
export function demoSeedsMarkdown(s: DemoSeedsSummary, rows: readonly DemoSeedRow[], header: readonly string[]): string {
  const names = s.methods.map((m) => m.method);
  const lines: string[] = [...header, ''];
  lines.push('## Target AUROC per seed', '', `| seed | ${names.join(' | ')} |`, `|---|${names.map(() => '---|').join('')}`);
  for (const r of rows) lines.push(`| ${r.seed} | ${r.methods.map((m) => `${f(m.auroc ?? Number.NaN)} [${f(m.auroc_ci[0] ?? Number.NaN)}, ${f(m.auroc_ci[1] ?? Number.NaN)}]${m.kept_source_model ? ' (kept source)' : ''}`).join(' | ')} |`);
  lines.push('');
  lines.push('## Summary over seeds', '');
  lines.push(
    `Paired differences are per seed (both methods on the same seed's cohort, splits and test set), with a Student-t 95% interval over ${s.seeds.length} seeds; "better"/"worse" only where it excludes 0. ` +
      `Reference methods: source_only = \`${s.sourceOnly ?? 'none'}\`, best target-only baseline = \`${s.bestTargetOnly ?? 'none'}\` (highest mean AUROC of the target-only strategies).`,
    '',
  );
  lines.push(`| method | strategy | mean AUROC [t 95% CI] | Δ vs ${s.sourceOnly ?? 'source_only'} [paired t 95% CI] | verdict | Δ vs ${s.bestTargetOnly ?? 'target-only'} [paired t 95% CI] | verdict | kept source model |`, '|---|---|---|---|---|---|---|---|');
  for (const m of s.methods) {
    lines.push(
      `| ${m.method}${m.method === s.primary ? ' ★' : ''} | ${m.strategy} | ${interval(m.auroc, f)} | ${m.vsSourceOnly ? interval(m.vsSourceOnly) : '—'} | ${verdict(m.vsSourceOnly)} | ${m.vsTargetOnly ? interval(m.vsTargetOnly) : '—'} | ${verdict(m.vsTargetOnly)} | ${m.keptSource}/${s.seeds.length} |`,
    );
  }
  lines.push('', `★ the primary method (what \`medtl demo\` presents as its result).`, '');
  const p = s.methods.find((m) => m.method === s.primary);
  if (p) {
    const ok = (d: PairedMeanDifference | null) => (meetsAcceptance(d) ? 'met' : '**not met**');
    lines.push(
      '## Acceptance (issue 13)',
      '',
      `- \`${p.method}\` vs source_only: mean gain ${p.vsSourceOnly ? interval(p.vsSourceOnly) : 'n/a'}; ≥ 0.03 with the interval excluding 0: ${ok(p.vsSourceOnly)}.`,
      `- \`${p.method}\` vs the best target-only baseline (\`${s.bestTargetOnly ?? 'none'}\`): mean gain ${p.vsTargetOnly ? interval(p.vsTargetOnly) : 'n/a'}; ≥ 0.03 with the interval excluding 0: ${ok(p.vsTargetOnly)}.`,
      '',
    );
  }
  const sh = s.shift;
  if (sh.penalty || sh.oracle) {
    lines.push('## Site shift', '');
    if (sh.penalty && sh.sourceTest && sh.targetTest) {
      lines.push(`- Shift penalty of \`${s.sourceOnly}\` (source-test AUROC − target-test AUROC): mean ${interval(sh.penalty)} (source test ${interval(sh.sourceTest, f)}, target test ${interval(sh.targetTest, f)}; t 95% intervals over seeds).`);
    }
    if (sh.oracle) lines.push(`- Oracle ceiling (the generator's true risk on the target test set): mean ${interval(sh.oracle, f)}.`);
    if (sh.sourceRisk) lines.push(`- The source sites' true risk function on the same subjects: mean ${interval(sh.sourceRisk, f)}: what a perfect source model would score at the target.`);
    lines.push('');
  }
  lines.push('Wall time per run (s): ' + rows.map((r) => `${r.seed}: ${r.seconds.toFixed(1)}`).join(', ') + '.', '');
  return `${lines.join('\n')}\n`;
}
