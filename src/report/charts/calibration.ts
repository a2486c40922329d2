import type { ReliabilityBin } from '../../evaluate/temperature-scaling.js';
import type { ChartSpec } from '../render.js';
import { withBase } from './common.js';

/** One method's reliability bins on target test, before and (when fitted) after temperature scaling. */
export interface ReliabilitySeries {
  readonly method: string;
  readonly before: readonly ReliabilityBin[];
  readonly after: readonly ReliabilityBin[] | null;
  readonly temperature: number | null;
}

/** Stage names used as the colour legend. */
export const RELIABILITY_STAGES = ['before scaling', 'after temperature scaling'] as const;

function panel(s: ReliabilitySeries, stages: readonly string[]): Record<string, unknown> {
  const rows = (stage: string, bins: readonly ReliabilityBin[]) =>
    bins.filter((b) => b.count > 0).map((b) => ({ stage, confidence: b.meanConfidence, observed: b.observedFrequency, count: b.count }));
  const values = [...rows(RELIABILITY_STAGES[0], s.before), ...(s.after ? rows(RELIABILITY_STAGES[1], s.after) : [])];
  const enc = {
    x: { field: 'confidence', type: 'quantitative', title: 'mean predicted probability', scale: { domain: [0, 1] } },
    y: { field: 'observed', type: 'quantitative', title: 'observed frequency', scale: { domain: [0, 1] } },
    color: { field: 'stage', type: 'nominal', title: null, scale: { domain: [...stages], range: ['#e45756', '#4c78a8'].slice(0, stages.length) }, legend: { orient: 'bottom' } },
  };
  return {
    title: s.temperature === null ? s.method : `${s.method} (T = ${s.temperature.toFixed(2)})`,
    width: 220,
    height: 220,
    layer: [
      { data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, mark: { type: 'line', color: '#999', strokeDash: [4, 4] }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } },
      { data: { values }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: enc },
      { data: { values }, mark: { type: 'circle', opacity: 0.85 }, encoding: { ...enc, size: { field: 'count', type: 'quantitative', title: 'subjects in bin', scale: { range: [15, 250] } } } },
    ],
  };
}

/** Reliability diagrams, one panel per method, before and after temperature scaling, with the identity line. */
export function calibrationChart(series: readonly ReliabilitySeries[], scope = 'target test'): ChartSpec {
  // The legend lists the after stage only when some panel has one.
  const stages = series.some((s) => s.after) ? RELIABILITY_STAGES : RELIABILITY_STAGES.slice(0, 1);
  return withBase({
    title: `Calibration (reliability), ${scope}: 10 equal-width bins`,
    columns: 3,
    concat: series.map((s) => panel(s, stages)),
    resolve: { legend: { color: 'shared', size: 'shared' } },
  });
}
