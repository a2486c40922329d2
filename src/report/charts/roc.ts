import type { ChartSpec } from '../render.js';
import type { CurvePoint } from '../report-data.js';
import { methodScale, withBase } from './common.js';

/** One method's ROC curve and its AUROC, for the legend. */
export interface RocSeries {
  readonly method: string;
  readonly auroc: number;
  readonly points: readonly CurvePoint[];
}

/** ROC curves of every method on one set of axes, with the chance diagonal. */
export function rocChart(series: readonly RocSeries[], scope = 'target test'): ChartSpec {
  const label = (s: RocSeries) => `${s.method} (AUROC ${Number.isFinite(s.auroc) ? s.auroc.toFixed(3) : 'n/a'})`;
  const values = series.flatMap((s) => s.points.map((p, order) => ({ method: label(s), fpr: p.x, tpr: p.y, order })));
  return withBase({
    title: `ROC curves, ${scope}`,
    width: 340,
    height: 340,
    layer: [
      { data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, mark: { type: 'line', color: '#999', strokeDash: [4, 4] }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 2, interpolate: 'linear' },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false-positive rate (1 - specificity)', scale: { domain: [0, 1] } },
          y: { field: 'tpr', type: 'quantitative', title: 'true-positive rate (sensitivity)', scale: { domain: [0, 1] } },
          color: { field: 'method', type: 'nominal', title: 'method', scale: methodScale(series.map(label)), legend: { orient: 'bottom', columns: 1 } },
          order: { field: 'order', type: 'quantitative' },
        },
      },
    ],
  });
}
