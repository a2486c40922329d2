import type { ChartSpec } from '../render.js';
import type { CurvePoint } from '../report-data.js';
import { methodScale, withBase } from './common.js';

/** One method's precision-recall curve and its average precision, for the legend. */
export interface PrSeries {
  readonly method: string;
  readonly auprc: number;
  readonly points: readonly CurvePoint[];
}

/** Precision-recall curves of every method, as steps (average precision's own interpolation), with the prevalence line. */
export function prChart(series: readonly PrSeries[], prevalence: number, scope = 'target test'): ChartSpec {
  const label = (s: PrSeries) => `${s.method} (AUPRC ${Number.isFinite(s.auprc) ? s.auprc.toFixed(3) : 'n/a'})`;
  const values = series.flatMap((s) => s.points.map((p, order) => ({ method: label(s), recall: p.x, precision: p.y, order })));
  return withBase({
    title: `Precision-recall curves, ${scope}`,
    width: 340,
    height: 340,
    layer: [
      {
        data: { values: [{ p: prevalence, text: `prevalence ${prevalence.toFixed(2)}` }] },
        layer: [
          { mark: { type: 'rule', color: '#999', strokeDash: [4, 4] }, encoding: { y: { field: 'p', type: 'quantitative' } } },
          { mark: { type: 'text', align: 'right', dx: -4, dy: 10, color: '#666', fontSize: 10 }, encoding: { y: { field: 'p', type: 'quantitative' }, x: { datum: 1 }, text: { field: 'text' } } },
        ],
      },
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 2, interpolate: 'step-before' },
        encoding: {
          x: { field: 'recall', type: 'quantitative', title: 'recall (sensitivity)', scale: { domain: [0, 1] } },
          y: { field: 'precision', type: 'quantitative', title: 'precision (PPV)', scale: { domain: [0, 1] } },
          color: { field: 'method', type: 'nominal', title: 'method', scale: methodScale(series.map(label)), legend: { orient: 'bottom', columns: 1 } },
          order: { field: 'order', type: 'quantitative' },
        },
      },
    ],
  });
}
