import type { ChartId } from '../html-kit.js';
import type { ChartSpec } from '../render.js';
import type { ReportData } from '../report-data.js';
import { budgetChart } from './budget.js';
import { groupBarsChart } from './bars.js';
import { calibrationChart } from './calibration.js';
import { confusionChart } from './confusion.js';
import { prChart } from './pr.js';
import { rocChart } from './roc.js';

export { budgetChart, calibrationChart, confusionChart, groupBarsChart, prChart, rocChart };
export type { BudgetChartPoint } from './budget.js';
export type { GroupBar } from './bars.js';
export type { ReliabilitySeries } from './calibration.js';
export type { ConfusionSeries } from './confusion.js';
export type { PrSeries } from './pr.js';
export type { RocSeries } from './roc.js';

/** Every chart spec of a report; a chart without data (no budget curve, no subgroups) is left out. */
export function reportCharts(d: ReportData): Partial<Record<ChartId, ChartSpec>> {
  const methods = d.methods.map((m) => m.method);
  const first = d.methods[0]?.summary;
  const out: Partial<Record<ChartId, ChartSpec>> = {
    roc: rocChart(d.methods.map((m) => ({ method: m.method, auroc: m.summary.metrics.auroc.value, points: m.roc }))),
    pr: prChart(d.methods.map((m) => ({ method: m.method, auprc: m.summary.metrics.auprc.value, points: m.pr })), first && first.n > 0 ? first.nPositive / first.n : 0),
    calibration: calibrationChart(d.methods.map((m) => ({ method: m.method, before: m.reliabilityBefore, after: m.reliabilityAfter, temperature: m.temperature }))),
    confusion: confusionChart(d.methods.map((m) => ({ method: m.method, confusion: m.confusion }))),
  };
  if (d.budgetCurve.length) {
    const parts = d.fold.json.partitions;
    const mainBudget = parts.target_labelled_train + parts.target_labelled_val;
    const curve = d.budgetCurve.map((p) => ({ method: p.method, budget: p.budget, auroc: p.auroc ?? Number.NaN, ci: [p.auroc_ci[0] ?? Number.NaN, p.auroc_ci[1] ?? Number.NaN] as const }));
    // The main run is the curve's point at the run's own budget (same target test set), unless the curve already has one there.
    const main = d.methods
      .filter((m) => curve.some((p) => p.method === m.method) && !curve.some((p) => p.method === m.method && p.budget === mainBudget))
      .map((m) => ({ method: m.method, budget: mainBudget, auroc: m.json.auroc ?? Number.NaN, ci: [m.json.auroc_ci[0] ?? Number.NaN, m.json.auroc_ci[1] ?? Number.NaN] as const }));
    out.budget = budgetChart([...curve, ...main], methods);
  }
  if (d.sites.length) {
    out.sites = groupBarsChart(
      'AUROC by site',
      d.sites.map((s) => ({ method: s.method, group: s.site, panel: s.split === 'target_test' ? 'target site (target test)' : 'source sites (source test)', auroc: s.auroc, ci: s.ci, n: s.n, tooSmall: false })),
      methods,
    );
  }
  if (d.subgroups.length) {
    out.subgroups = groupBarsChart(
      'AUROC by subgroup, target test',
      d.subgroups.map((g) => ({ method: g.method, group: g.group, panel: g.column, auroc: g.auroc, ci: g.ci, n: g.n, tooSmall: g.tooSmall })),
      methods,
    );
  }
  return out;
}
