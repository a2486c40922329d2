import { ECE_BINS } from './calibration.js';
import {
  BINARY_METRICS,
  MULTICLASS_METRICS,
  summariseBinary,
  summariseMulticlass,
  type BinarySummary,
  type MetricWithCI,
  type MulticlassSummary,
  type SummaryOptions,
} from './metric-summary.js';
import type { Predictions } from './predictions-file.js';

/** A JSON value; the report is plain data so the CLI can print it as is. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Why each binary metric can be undefined; quoted in warnings when it is. */
const BINARY_NEEDS: Record<string, string> = {
  auroc: 'needs both classes in y_true',
  auprc: 'needs a positive in y_true',
  accuracy: 'needs rows',
  balanced_accuracy: 'needs both classes in y_true',
  f1: 'needs a positive in y_true or among the predictions',
  mcc: 'needs both classes in y_true and among the predictions at the threshold',
  brier: 'needs rows',
  ece: 'needs rows',
  sensitivity: 'needs a positive in y_true',
  specificity: 'needs a negative in y_true',
};
const MULTICLASS_NEEDS: Record<string, string> = {
  auroc: 'macro one-vs-rest AUROC needs every class in y_true and at least two classes',
  accuracy: 'needs rows',
  balanced_accuracy: 'needs rows',
};

// JSON has no NaN: an undefined metric or CI bound is null.
const num = (x: number): number | null => (Number.isFinite(x) ? x : null);
const ci = (m: MetricWithCI): Json => (Number.isFinite(m.ci[0]) && Number.isFinite(m.ci[1]) ? [m.ci[0], m.ci[1]] : null);

function undefinedMetrics(metrics: Readonly<Record<string, MetricWithCI>>, names: readonly string[], needs: Record<string, string>): string {
  return names
    .filter((m) => !Number.isFinite(metrics[m].value))
    .map((m) => `${m} (${needs[m]})`)
    .join(', ');
}

function binaryBlock(s: BinarySummary, scope: string, warnings: string[]): { [key: string]: Json } {
  const out: { [key: string]: Json } = { n: s.n, n_positive: s.nPositive };
  for (const m of BINARY_METRICS) {
    out[m] = num(s.metrics[m].value);
    out[`${m}_ci`] = ci(s.metrics[m]);
  }
  out.confusion_matrix = s.confusionMatrix;
  const missing = undefinedMetrics(s.metrics, BINARY_METRICS, BINARY_NEEDS);
  if (missing) {
    const single = s.nPositive === 0 || s.nPositive === s.n ? `y_true is ${s.nPositive === 0 ? 0 : 1} in all ${s.n} rows, so ` : '';
    warnings.push(`${scope}: ${single}undefined (null): ${missing}`);
  }
  return out;
}

function multiclassBlock(s: MulticlassSummary, classes: readonly string[], scope: string, warnings: string[]): { [key: string]: Json } {
  const out: { [key: string]: Json } = { n: s.n, class_counts: Object.fromEntries(classes.map((c, k) => [c, s.classCounts[k]])) };
  for (const m of MULTICLASS_METRICS) {
    out[m] = num(s.metrics[m].value);
    out[`${m}_ci`] = ci(s.metrics[m]);
  }
  out.auroc_ovr = Object.fromEntries(classes.map((c, k) => [c, num(s.oneVsRestAuroc[k])]));
  out.confusion_matrix = s.confusionMatrix;
  const missing = undefinedMetrics(s.metrics, MULTICLASS_METRICS, MULTICLASS_NEEDS);
  const absent = classes.filter((_, k) => s.classCounts[k] === 0);
  if (missing) warnings.push(`${scope}: ${absent.length ? `no rows of class ${absent.join(', ')} in y_true, so ` : ''}undefined (null): ${missing}`);
  return out;
}

// Metrics of the rows at `rows` (all rows when null).
function block(p: Predictions, rows: number[] | null, scope: string, opts: SummaryOptions, warnings: string[]): { [key: string]: Json } {
  const pick = <T>(xs: ArrayLike<T>): T[] => (rows ? rows.map((i) => xs[i]) : Array.from(xs));
  if (p.kind === 'binary') return binaryBlock(summariseBinary(pick(p.yTrue), pick(p.yScore), opts), scope, warnings);
  return multiclassBlock(summariseMulticlass(pick(p.yTrue), pick(p.scores), p.classes.length, opts), p.classes, scope, warnings);
}

/**
 * The `medtl evaluate` document (schema in docs/cli.md): every metric with a stratified bootstrap
 * CI, over all rows and per site (sites in sorted order), plus warnings for undefined metrics.
 */
export function evaluatePredictions(p: Predictions, opts: SummaryOptions): { [key: string]: Json } {
  const warnings: string[] = [];
  const overall = block(p, null, 'overall', opts, warnings);
  const sites: Json[] = [];
  if (p.site) {
    const bySite = new Map<string, number[]>();
    p.site.forEach((s, i) => {
      const rows = bySite.get(s);
      if (rows) rows.push(i);
      else bySite.set(s, [i]);
    });
    for (const site of [...bySite.keys()].sort()) {
      sites.push({ site, ...block(p, bySite.get(site)!, `site '${site}'`, opts, warnings) });
    }
  }
  return {
    file: p.file,
    task: p.kind,
    classes: p.kind === 'binary' ? ['0', '1'] : [...p.classes],
    n: p.yTrue.length,
    threshold: p.kind === 'binary' ? opts.threshold : null,
    ece_bins: p.kind === 'binary' ? ECE_BINS : null,
    bootstrap: { resamples: opts.resamples, level: opts.level, seed: opts.seed, stratified_by: 'y_true' },
    overall,
    sites,
    warnings: warnings.map((w) => `${p.file}: ${w}`),
  };
}
