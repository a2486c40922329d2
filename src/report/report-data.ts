import { reliabilityBins, applyTemperature, probabilitiesToLogits, type ReliabilityBin } from '../evaluate/temperature-scaling.js';
import { stratifiedBootstrapCI } from '../evaluate/bootstrap.js';
import { delongTest } from '../evaluate/delong.js';
import { auroc } from '../evaluate/metrics.js';
import { summariseBinary, type BinarySummary, type SummaryOptions } from '../evaluate/metric-summary.js';
import { rocCurve } from '../evaluate/operating-point.js';
import { bandLabel, MISSING_GROUP, subgroupMetrics, type SubgroupResult } from '../evaluate/subgroups.js';
import { thresholdSweep } from '../evaluate/threshold-sweep.js';
import type { BudgetCurvePointJson, MethodMetricsJson } from '../record/metrics-json.js';
import type { FoldFiles, RecordedScores, RunFiles } from '../record/read.js';

/** One point of a ROC or precision-recall curve. */
export interface CurvePoint {
  readonly x: number;
  readonly y: number;
}

/** A 2x2 confusion matrix at a named threshold. */
export interface ConfusionAt {
  readonly threshold: number;
  /** Where the threshold came from, e.g. "Youden on target validation". */
  readonly source: string;
  /** sklearn layout [[tn, fp], [fn, tp]]. */
  readonly matrix: readonly (readonly number[])[];
}

/** Everything the report shows about one method on the target test set. */
export interface MethodReport {
  readonly method: string;
  readonly strategy: string;
  readonly modalities: readonly string[];
  readonly summary: BinarySummary;
  readonly roc: readonly CurvePoint[];
  /** Recall (x) against precision (y), one point per distinct score, from recall 0. */
  readonly pr: readonly CurvePoint[];
  readonly reliabilityBefore: readonly ReliabilityBin[];
  /** After temperature scaling fitted on target validation; null when the run has no fit. */
  readonly reliabilityAfter: readonly ReliabilityBin[] | null;
  readonly temperature: number | null;
  readonly confusion: ConfusionAt;
  readonly json: MethodMetricsJson;
}

/** AUROC of one method at one site, with its CI; source sites use their held-out source test. */
export interface SiteMetric {
  readonly method: string;
  readonly site: string;
  readonly split: 'target_test' | 'source_test';
  readonly n: number;
  readonly nPositive: number;
  readonly auroc: number;
  readonly ci: readonly [number, number];
}

/** A DeLong comparison of one method against another on the target test set. */
export interface Comparison {
  readonly a: string;
  readonly b: string;
  readonly difference: number;
  readonly p: number;
}

/** AUROC of one method in one subgroup of the target test set. */
export interface SubgroupMetric extends Pick<SubgroupResult, 'column' | 'group' | 'n' | 'nPositive' | 'nNegative' | 'tooSmall' | 'reason'> {
  readonly method: string;
  readonly auroc: number;
  readonly ci: readonly [number, number];
}

/** The computed content of a report, from a run folder alone. */
export interface ReportData {
  readonly files: RunFiles;
  /** The fold whose methods the detailed sections show (the only fold of a hold-out run; the first, or the chosen one, otherwise). */
  readonly fold: FoldFiles;
  readonly options: SummaryOptions;
  readonly methods: readonly MethodReport[];
  /** The method the model card describes: the first that is neither target_only nor source_only. */
  readonly primary: string;
  readonly comparisons: readonly Comparison[];
  readonly sites: readonly SiteMetric[];
  readonly subgroups: readonly SubgroupMetric[];
  readonly minPerClass: number;
  readonly budgetCurve: readonly BudgetCurvePointJson[];
}

/** ROC points (x = FPR, y = TPR), as sklearn's `roc_curve(drop_intermediate=False)`. */
export function rocPoints(labels: ArrayLike<number>, scores: ArrayLike<number>): CurvePoint[] {
  return rocCurve(labels, scores).map((p) => ({ x: p.fpr, y: p.tpr }));
}

/** Precision-recall points (x = recall, y = precision) at each distinct score, starting at (0, 1) as sklearn plots it. */
export function prPoints(labels: ArrayLike<number>, scores: ArrayLike<number>): CurvePoint[] {
  const { nPos, steps } = thresholdSweep(labels, scores);
  if (nPos === 0) return [];
  return [{ x: 0, y: 1 }, ...steps.map((s) => ({ x: s.tp / nPos, y: s.tp / (s.tp + s.fp) }))];
}

function methodReport(m: MethodMetricsJson, p: RecordedScores, opts: SummaryOptions, cfgThreshold: number): MethodReport {
  const ts = m.temperature_scaling ?? null;
  const youden = m.youden ?? null;
  const summary = summariseBinary(p.labels, p.scores, opts);
  return {
    method: m.method,
    strategy: m.strategy,
    modalities: m.modalities,
    summary,
    roc: rocPoints(p.labels, p.scores),
    pr: prPoints(p.labels, p.scores),
    reliabilityBefore: reliabilityBins(p.labels, p.scores),
    reliabilityAfter: ts ? reliabilityBins(p.labels, applyTemperature(probabilitiesToLogits(p.scores), ts.temperature)) : null,
    temperature: ts ? ts.temperature : null,
    confusion: youden
      ? { threshold: youden.threshold, source: 'Youden on target validation', matrix: youden.confusion_matrix }
      : { threshold: cfgThreshold, source: 'fixed (evaluation.threshold)', matrix: summary.confusionMatrix },
    json: m,
  };
}

function siteMetrics(f: FoldFiles, opts: SummaryOptions): SiteMetric[] {
  const out: SiteMetric[] = [];
  const one = (method: string, site: string, split: SiteMetric['split'], y: number[], s: number[]) => {
    // AUROC only, as evaluateBinary bootstraps it: the bars need one metric, and the target bar then equals metrics.json.
    const c = stratifiedBootstrapCI(y, s, auroc, opts);
    out.push({ method, site, split, n: y.length, nPositive: y.filter((v) => v === 1).length, auroc: auroc(y, s), ci: [c.lo, c.hi] });
  };
  for (const [split, sets] of [['source_test', f.sourceTest], ['target_test', f.targetTest]] as const) {
    for (const p of sets) {
      const sites = [...new Set(p.sites)].sort();
      for (const site of sites) {
        const rows = p.sites.flatMap((s, i) => (s === site ? [i] : []));
        one(p.method, site, split, rows.map((i) => p.labels[i]), rows.map((i) => p.scores[i]));
      }
    }
  }
  return out;
}

// Rows of one subgroup, named as subgroupMetrics names it.
function groupRows(cells: readonly string[], bands: readonly number[] | undefined, group: string): number[] {
  return cells.flatMap((raw, i) => {
    const cell = raw.trim();
    const g = cell === '' ? MISSING_GROUP : bands ? bandLabel(Number(cell), bands) : cell;
    return g === group ? [i] : [];
  });
}

function subgroupRows(f: RunFiles, fold: FoldFiles, opts: SummaryOptions, minPerClass: number): SubgroupMetric[] {
  const cols = f.subjects.columns.filter((c) => f.config.evaluation.subgroups.includes(c));
  if (cols.length === 0) return [];
  const out: SubgroupMetric[] = [];
  for (const p of fold.targetTest) {
    const columns: Record<string, string[]> = {};
    for (const c of cols) columns[c] = p.sites.map((s, i) => f.subjects.byKey.get(`${s}/${p.subjectIds[i]}`)?.[c] ?? '');
    const specs = cols.map((column) => (column === 'age' ? { column, bands: f.config.evaluation.ageBands } : { column }));
    // subgroupMetrics groups and flags; one resample there, because only AUROC's CI is shown and it is bootstrapped below.
    for (const g of subgroupMetrics(p.labels, p.scores, columns, specs, { ...opts, resamples: 1, minPositives: minPerClass, minNegatives: minPerClass })) {
      const rows = groupRows(columns[g.column], g.column === 'age' ? f.config.evaluation.ageBands : undefined, g.group);
      const y = rows.map((i) => p.labels[i]);
      const s = rows.map((i) => p.scores[i]);
      const c = g.tooSmall ? null : stratifiedBootstrapCI(y, s, auroc, opts);
      out.push({ method: p.method, column: g.column, group: g.group, n: g.n, nPositive: g.nPositive, nNegative: g.nNegative, tooSmall: g.tooSmall, reason: g.reason, auroc: auroc(y, s), ci: c ? [c.lo, c.hi] : [Number.NaN, Number.NaN] });
    }
  }
  return out;
}

/** The first method that is a transfer method (neither target_only nor source_only), else the first method. */
export function primaryMethod(methods: readonly { method: string; strategy: string }[]): string {
  return (methods.find((m) => m.strategy !== 'target_only' && m.strategy !== 'source_only') ?? methods[0]).method;
}

/**
 * Computes the report content from a run folder's files: every metric with a stratified bootstrap
 * CI (the fold's recorded bootstrap seed and the run's resamples, so AUROC CIs equal metrics.json),
 * curves, reliability before and after the run's temperature, per-site and subgroup AUROC, and
 * DeLong's test of the primary method against each other method, for one fold (by id; the first
 * when absent). Throws naming the fold when the id is not one of the run's.
 */
export function buildReportData(f: RunFiles, foldId?: string): ReportData {
  const fold = foldId === undefined ? f.folds[0] : f.folds.find((x) => x.json.id === foldId);
  if (!fold) throw new Error(`fold '${foldId}' is not in ${f.dir}; folds: ${f.folds.map((x) => x.json.id).join(', ')}`);
  const ev = f.config.evaluation;
  const opts: SummaryOptions = { threshold: ev.threshold, resamples: ev.bootstrapResamples, level: 0.95, seed: fold.json.seeds.bootstrap };
  const methods = fold.json.methods.map((m, k) => methodReport(m, fold.targetTest[k], opts, ev.threshold));
  const primary = primaryMethod(fold.json.methods);
  const pk = fold.json.methods.findIndex((m) => m.method === primary);
  const comparisons: Comparison[] = [];
  for (let k = 0; k < methods.length; k++) {
    if (k === pk) continue;
    const a = fold.targetTest[pk];
    const b = fold.targetTest[k];
    // DeLong needs the same subjects in the same order; every method scores the same target test set.
    if (a.labels.length !== b.labels.length || a.subjectIds.some((id, i) => id !== b.subjectIds[i])) continue;
    try {
      const d = delongTest(a.labels, a.scores, b.scores);
      comparisons.push({ a: primary, b: methods[k].method, difference: d.difference, p: d.p });
    } catch {
      // A degenerate pair (e.g. identical scores) has no test; the table shows n/a.
    }
  }
  return {
    files: f,
    fold,
    options: opts,
    methods,
    primary,
    comparisons,
    sites: siteMetrics(fold, opts),
    subgroups: subgroupRows(f, fold, opts, ev.minPerClass),
    minPerClass: ev.minPerClass,
    budgetCurve: fold.json.budget_curve,
  };
}
