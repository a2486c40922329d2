import type { ChartSpec } from '../render.js';
import type { ConfusionAt } from '../report-data.js';
import { withBase } from './common.js';

/** One method's confusion matrix at its threshold. */
export interface ConfusionSeries {
  readonly method: string;
  readonly confusion: ConfusionAt;
}

/** Confusion matrices (true label by predicted label, counts shown in the cells), one panel per method. */
export function confusionChart(series: readonly ConfusionSeries[], scope = 'target test'): ChartSpec {
  const panel = (s: ConfusionSeries) => {
    const m = s.confusion.matrix;
    const cell = (actual: string, predicted: string, count: number) => ({ actual, predicted, count });
    const values = [cell('negative', 'negative', m[0][0]), cell('negative', 'positive', m[0][1]), cell('positive', 'negative', m[1][0]), cell('positive', 'positive', m[1][1])];
    const max = Math.max(1, ...values.map((v) => v.count));
    const xy = {
      x: { field: 'predicted', type: 'nominal', title: 'predicted', sort: ['negative', 'positive'], axis: { labelAngle: 0, grid: false } },
      y: { field: 'actual', type: 'nominal', title: 'actual', sort: ['negative', 'positive'], axis: { grid: false } },
    };
    return {
      title: { text: s.method, subtitle: `threshold ${s.confusion.threshold.toFixed(3)} (${s.confusion.source})`, subtitleFontSize: 10 },
      width: 150,
      height: 150,
      data: { values },
      layer: [
        { mark: 'rect', encoding: { ...xy, color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues', domain: [0, max] }, legend: null } } },
        {
          mark: { type: 'text', fontSize: 16 },
          encoding: { ...xy, text: { field: 'count', type: 'quantitative' }, color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: 'black' } },
        },
      ],
    };
  };
  return withBase({ title: `Confusion matrices, ${scope}`, columns: 3, concat: series.map(panel), resolve: { scale: { color: 'independent' } } });
}
