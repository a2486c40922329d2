import type { ChartSpec } from '../render.js';
import { methodScale, withBase } from './common.js';

/** One point of a label-budget curve: AUROC and CI of a method trained with `budget` labelled target subjects. */
export interface BudgetChartPoint {
  readonly method: string;
  readonly budget: number;
  readonly auroc: number;
  readonly ci: readonly [number, number];
}

/** AUROC against the number of labelled target subjects, a line and CI error bars per method. */
export function budgetChart(points: readonly BudgetChartPoint[], methods: readonly string[]): ChartSpec {
  const values = points.filter((p) => Number.isFinite(p.auroc)).map((p) => ({ method: p.method, budget: p.budget, auroc: p.auroc, lo: p.ci[0], hi: p.ci[1] }));
  const x = { field: 'budget', type: 'quantitative', title: 'labelled target subjects (fit + early stopping)', scale: { zero: false, padding: 24 }, axis: { values: [...new Set(values.map((v) => v.budget))].sort((a, b) => a - b), format: 'd' } };
  const color = { field: 'method', type: 'nominal', title: 'method', scale: methodScale(methods, [...new Set(values.map((v) => v.method))]) };
  return withBase({
    title: 'Label-budget curve: target-test AUROC with 95% CI',
    width: 420,
    height: 260,
    data: { values },
    layer: [
      { mark: { type: 'errorbar', ticks: true }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'AUROC', scale: { zero: false } }, y2: { field: 'hi' }, color } },
      { mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x, y: { field: 'auroc', type: 'quantitative' }, color } },
    ],
  });
}
