import { ECE_BINS } from './calibration.js';
import { delongTest } from './delong.js';
import {
  BINARY_METRICS,
  DEFAULT_OPERATING_TARGET,
  MULTICLASS_METRICS,
  summariseBinary,
  summariseMulticlass,
  type BinarySummary,
  type MetricWithCI,
  type MulticlassSummary,
  type SummaryOptions,
} from './metric-summary.js';
import type { Predictions } from './predictions-file.js';
import { DEFAULT_MIN_PER_CLASS, subgroupMetrics, type SubgroupColumn } from './subgroups.js';

/** Options of the `medtl evaluate` document: metric options plus subgroup columns. */
export interface ReportOptions extends SummaryOptions {
  /** Binary only: columns to report subgroups of (a banded column is cut into `bands`). */
  readonly subgroups?: readonly SubgroupColumn[];
  /** Fewest positives and fewest negatives for a subgroup to get CIs (default 10). */
  readonly minPerClass?: number;
}

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
  sensitivity_at_specificity: 'needs both classes in y_true',
  specificity_at_sensitivity: 'needs both classes in y_true',
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
 * CI, over all rows, per site (sites in sorted order) and per subgroup; for binary files with
 * `y_score_<method>` columns, each method's metrics and DeLong's test for every pair; plus warnings
 * for undefined metrics. Throws when subgroups are asked of a multi-class file or name a missing column.
 */
export function evaluatePredictions(p: Predictions, opts: ReportOptions): { [key: string]: Json } {
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
  const specs = opts.subgroups ?? [];
  const minPerClass = opts.minPerClass ?? DEFAULT_MIN_PER_CLASS;
  const subgroups: Json[] = [];
  const methods: Json[] = [];
  const comparisons: Json[] = [];
  if (p.kind === 'multiclass' && specs.length > 0) {
    throw new Error(`${p.file}: subgroups need a binary file (y_score); this file is multi-class`);
  }
  if (p.kind === 'binary') {
    let groups: ReturnType<typeof subgroupMetrics>;
    try {
      groups = subgroupMetrics(p.yTrue, p.yScore, p.columns, specs, { ...opts, minPositives: minPerClass, minNegatives: minPerClass });
    } catch (e) {
      throw new Error(`${p.file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    for (const g of groups) {
      const b = binaryBlock(g.summary, `subgroup ${g.column}='${g.group}'`, warnings);
      subgroups.push({ column: g.column, group: g.group, n: g.n, n_positive: g.nPositive, n_negative: g.nNegative, too_small: g.tooSmall, reason: g.reason, ...b });
    }
    for (const m of p.methods) {
      methods.push({ method: m.method, column: m.column, ...binaryBlock(summariseBinary(p.yTrue, m.yScore, opts), `method '${m.method}'`, warnings) });
    }
    for (let a = 0; a < p.methods.length; a++) {
      for (let b = a + 1; b < p.methods.length; b++) {
        const ma = p.methods[a];
        const mb = p.methods[b];
        const head = { a: ma.method, b: mb.method, test: 'delong' };
        try {
          const d = delongTest(p.yTrue, ma.yScore, mb.yScore);
          comparisons.push({ ...head, auroc_a: num(d.aurocA), auroc_b: num(d.aurocB), difference: num(d.difference), se: num(d.se), z: num(d.z), p: num(d.p), error: null });
        } catch (e) {
          const error = e instanceof Error ? e.message : String(e);
          comparisons.push({ ...head, auroc_a: null, auroc_b: null, difference: null, se: null, z: null, p: null, error });
          warnings.push(`comparison '${ma.method}' vs '${mb.method}': ${error}`);
        }
      }
    }
  }
  const binary = p.kind === 'binary';
  return {
    file: p.file,
    task: p.kind,
    classes: binary ? ['0', '1'] : [...p.classes],
    n: p.yTrue.length,
    threshold: binary ? opts.threshold : null,
    ece_bins: binary ? ECE_BINS : null,
    score_column: binary ? p.scoreColumn : null,
    at_specificity: binary ? (opts.atSpecificity ?? DEFAULT_OPERATING_TARGET) : null,
    at_sensitivity: binary ? (opts.atSensitivity ?? DEFAULT_OPERATING_TARGET) : null,
    bootstrap: { resamples: opts.resamples, level: opts.level, seed: opts.seed, stratified_by: 'y_true' },
    overall,
    sites,
    subgroup_min_per_class: binary ? minPerClass : null,
    subgroups,
    methods,
    comparisons,
    warnings: warnings.map((w) => `${p.file}: ${w}`),
  };
}
