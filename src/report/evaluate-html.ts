import { stratifiedBootstrapCI } from '../evaluate/bootstrap.js';
import { delongTest } from '../evaluate/delong.js';
import { summariseBinary, type SummaryOptions } from '../evaluate/metric-summary.js';
import { auroc, confusion } from '../evaluate/metrics.js';
import type { Predictions } from '../evaluate/predictions-file.js';
import { DEFAULT_MIN_PER_CLASS, subgroupMetrics, type SubgroupColumn } from '../evaluate/subgroups.js';
import { reliabilityBins } from '../evaluate/temperature-scaling.js';
import type { GroupBar } from './charts/bars.js';
import { calibrationChart, confusionChart, groupBarsChart, prChart, rocChart } from './charts/index.js';
import { CSS, escapeHtml, f3, figure, table, withCi } from './html-kit.js';
import { renderSvg } from './render.js';
import { prPoints, rocPoints } from './report-data.js';

/** Options of the `medtl evaluate --report` page: the metric options and subgroup columns of the JSON output. */
export interface EvaluateReportOptions extends SummaryOptions {
  readonly subgroups?: readonly SubgroupColumn[];
  readonly minPerClass?: number;
}

/**
 * The HTML page of `medtl evaluate --report` for a binary predictions file: a metric table with
 * CIs per score column, ROC, PR, reliability and confusion charts, and AUROC by site and subgroup
 * (too-small groups flagged). Self-contained like the run report. Throws for a multi-class file.
 */
export async function evaluationReportHtml(p: Predictions, opts: EvaluateReportOptions): Promise<string> {
  if (p.kind !== 'binary') throw new Error(`${p.file}: --report needs binary predictions (y_score); this file is multi-class`);
  const methods = p.methods.length ? p.methods.map((m) => ({ method: m.method, scores: m.yScore })) : [{ method: p.scoreColumn, scores: p.yScore }];
  const names = methods.map((m) => m.method);
  const y = p.yTrue;
  const sums = methods.map((m) => summariseBinary(y, m.scores, opts));
  const minPerClass = opts.minPerClass ?? DEFAULT_MIN_PER_CLASS;
  const bars: GroupBar[] = [];
  const subBars: GroupBar[] = [];
  for (const m of methods) {
    if (p.site) {
      for (const site of [...new Set(p.site)].sort()) {
        const rows = p.site.flatMap((s, i) => (s === site ? [i] : []));
        const ys = rows.map((i) => y[i]);
        const ss = rows.map((i) => m.scores[i]);
        const ci = stratifiedBootstrapCI(ys, ss, auroc, opts);
        bars.push({ method: m.method, group: site, panel: 'site', auroc: auroc(ys, ss), ci: [ci.lo, ci.hi], n: rows.length, tooSmall: false });
      }
    }
    // The same subgroup summaries as the JSON output (same resamples and seed); too-small groups carry NaN CIs.
    for (const g of subgroupMetrics(y, m.scores, p.columns, opts.subgroups ?? [], { ...opts, minPositives: minPerClass, minNegatives: minPerClass })) {
      const a = g.summary.metrics.auroc;
      subBars.push({ method: m.method, group: g.group, panel: g.column, auroc: a.value, ci: a.ci, n: g.n, tooSmall: g.tooSmall });
    }
  }
  const prevalence = sums[0].n > 0 ? sums[0].nPositive / sums[0].n : 0;
  const specs = {
    roc: rocChart(methods.map((m, k) => ({ method: m.method, auroc: sums[k].metrics.auroc.value, points: rocPoints(y, m.scores) })), 'all rows'),
    pr: prChart(methods.map((m, k) => ({ method: m.method, auprc: sums[k].metrics.auprc.value, points: prPoints(y, m.scores) })), prevalence, 'all rows'),
    calibration: calibrationChart(methods.map((m) => ({ method: m.method, before: reliabilityBins(y, m.scores), after: null, temperature: null })), 'all rows'),
    confusion: confusionChart(
      methods.map((m) => {
        const c = confusion(y, m.scores, opts.threshold);
        return { method: m.method, confusion: { threshold: opts.threshold, source: '--threshold', matrix: [[c.tn, c.fp], [c.fn, c.tp]] } };
      }),
      'all rows',
    ),
    ...(bars.length ? { sites: groupBarsChart('AUROC by site', bars, names) } : {}),
    ...(subBars.length ? { subgroups: groupBarsChart('AUROC by subgroup', subBars, names) } : {}),
  };
  const svgs: Record<string, string> = {};
  for (const [id, spec] of Object.entries(specs)) svgs[id] = await renderSvg(spec);
  const head = ['score column', 'n', 'positives', 'AUROC', 'AUPRC', 'accuracy', 'balanced accuracy', 'F1', 'MCC', 'Brier', 'ECE', 'sensitivity', 'specificity'];
  const rows = methods.map((m, k) => {
    const s = sums[k].metrics;
    return [escapeHtml(m.method), String(sums[k].n), String(sums[k].nPositive), ...(['auroc', 'auprc', 'accuracy', 'balanced_accuracy', 'f1', 'mcc', 'brier', 'ece', 'sensitivity', 'specificity'] as const).map((x) => withCi(s[x].value, s[x].ci))];
  });
  const comparisons: string[][] = [];
  for (let k = 1; k < methods.length; k++) {
    try {
      const d = delongTest(y, methods[0].scores, methods[k].scores);
      comparisons.push([escapeHtml(`${methods[0].method} vs ${methods[k].method}`), `${d.difference >= 0 ? '+' : ''}${d.difference.toFixed(3)}`, d.p < 0.001 ? '&lt; 0.001' : f3(d.p)]);
    } catch (e) {
      comparisons.push([escapeHtml(`${methods[0].method} vs ${methods[k].method}`), 'n/a', escapeHtml((e as Error).message)]);
    }
  }
  const ci = `95% CIs: bootstrap stratified by y_true, ${opts.resamples} resamples, seed ${opts.seed}; threshold ${opts.threshold} on the score.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>medtl evaluate: ${escapeHtml(p.file)}</title>
<style>${CSS}</style></head>
<body><main>
<h1>medtl evaluate</h1>
<p class="lead">Predictions file <code>${escapeHtml(p.file)}</code>: ${p.yTrue.length} rows. ${escapeHtml(ci)} This file is self-contained: it loads nothing.</p>
<section id="methods"><h2>Metrics</h2>${table(head, rows, 'methods')}
${comparisons.length ? `<h3>DeLong's test</h3>${table(['pair', 'AUROC difference', 'p'], comparisons)}` : ''}</section>
<section id="plots"><h2>Plots</h2>
<div class="grid">${figure('roc', svgs.roc, 'ROC per score column; dashed: chance.')}${figure('pr', svgs.pr, 'Precision-recall; dashed: prevalence.')}</div>
${figure('calibration', svgs.calibration, 'Reliability: mean score against observed frequency of positives in 10 equal-width bins; dot area = rows in the bin.')}
${figure('confusion', svgs.confusion, `Confusion matrices at threshold ${opts.threshold}.`)}
${svgs.sites ? figure('sites', svgs.sites, 'AUROC by site with 95% CI.') : ''}
${svgs.subgroups ? figure('subgroups', svgs.subgroups, `AUROC by subgroup with 95% CI; faded bars have fewer than ${minPerClass} positives or negatives and no CI.`) : ''}
</section>
</main></body></html>
`;
}
