import type { ExperimentResult } from '../pipeline/experiment.js';

const fmt = (v: number, d = 3): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

/** Renders the methods-by-metrics table printed at the end of a run. */
export function resultsTable(r: ExperimentResult): string {
  const header = ['method', 'AUROC [95% CI]', 'accuracy', 'sensitivity', 'specificity', 'n_test'];
  const rows = r.methods.map((m) => {
    const e = m.evaluation;
    return [m.method, `${fmt(e.auroc)} [${fmt(e.aurocCI[0])}, ${fmt(e.aurocCI[1])}]`, fmt(e.accuracy), fmt(e.sensitivity), fmt(e.specificity), String(e.nTest)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
