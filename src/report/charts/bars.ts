import type { ChartSpec } from '../render.js';
import { methodScale, withBase } from './common.js';

/** One bar: AUROC of a method in a group (a site or a subgroup), with its CI and whether the group is too small. */
export interface GroupBar {
  readonly method: string;
  readonly group: string;
  /** Facet the bar belongs to, e.g. the subgroup column or the site's role. */
  readonly panel: string;
  readonly auroc: number;
  readonly ci: readonly [number, number];
  readonly n: number;
  readonly tooSmall: boolean;
}

/**
 * Grouped AUROC bars with CI whiskers, one panel per `panel` value; a too-small group's bars are
 * faded and carry no whisker (no CI is reported for it), and its label says so.
 */
export function groupBarsChart(title: string, bars: readonly GroupBar[], methods: readonly string[]): ChartSpec {
  const values = bars
    .filter((b) => Number.isFinite(b.auroc))
    .map((b) => ({
      method: b.method,
      // '|' splits the axis label into lines (labelExpr below), keeping the flag readable under a narrow group.
      group: b.tooSmall ? `${b.group}|(too small)` : b.group,
      panel: b.panel,
      auroc: b.auroc,
      lo: b.tooSmall ? null : b.ci[0],
      hi: b.tooSmall ? null : b.ci[1],
      n: b.n,
      reported: b.tooSmall ? 'too small: no CI' : 'reported',
    }));
  const panels = [...new Set(values.map((v) => v.panel))];
  const anySmall = values.some((v) => v.reported !== 'reported');
  const panel = (p: string) => {
    const rows = values.filter((v) => v.panel === p);
    const x = { field: 'group', type: 'nominal', title: null, sort: [...new Set(rows.map((v) => v.group))], axis: { labelAngle: 0, labelLimit: 0, labelExpr: "split(datum.label, '|')" } };
    const xOffset = { field: 'method', type: 'nominal', scale: { domain: [...methods] } };
    return {
      title: p,
      width: Math.max(160, new Set(rows.map((r) => r.group)).size * Math.max(76, methods.length * 14 + 24)),
      height: 200,
      data: { values: rows },
      layer: [
        {
          mark: 'bar',
          encoding: {
            x,
            xOffset,
            y: { field: 'auroc', type: 'quantitative', title: 'AUROC', scale: { domain: [0, 1] } },
            color: { field: 'method', type: 'nominal', title: 'method', scale: methodScale(methods) },
            opacity: { field: 'reported', type: 'ordinal', title: null, scale: { domain: ['reported', 'too small: no CI'], range: [1, 0.3] }, legend: anySmall ? {} : null },
            tooltip: [{ field: 'method' }, { field: 'group' }, { field: 'n' }, { field: 'auroc', format: '.3f' }],
          },
        },
        { transform: [{ filter: 'datum.lo != null' }], mark: { type: 'rule', color: '#333' }, encoding: { x, xOffset, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
        { mark: { type: 'rule', color: '#999', strokeDash: [4, 4] }, data: { values: [{ y: 0.5 }] }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      ],
    };
  };
  return withBase({ title, concat: panels.map(panel), columns: 2, resolve: { scale: { x: 'independent' } } });
}
