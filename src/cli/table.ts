import type { FoldResult, RunResult } from '../record/types.js';
import type { InnerCvSelection } from '../transfer/types.js';

const fmt = (v: number, d = 3): string => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');
const signed = (v: number): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)}` : 'n/a');
const ci = (c: readonly [number, number], f: (v: number) => string = fmt): string => (Number.isFinite(c[0]) ? ` [${f(c[0])}, ${f(c[1])}]` : '');

function grid(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Renders one fold's methods-by-metrics table, with each method's paired ΔAUROC against the reference methods. */
export function resultsTable(fold: FoldResult): string {
  const refs = [...new Set(fold.comparisons.map((c) => c.reference))];
  // A "better of" group names the member it stood for on this fold.
  const resolved = (r: string): string => {
    const m = fold.comparisons.find((c) => c.reference === r && c.resolved)?.resolved;
    return m ? ` (= ${m})` : '';
  };
  const header = ['method', 'AUROC [95% CI]', 'accuracy', 'sensitivity', 'specificity', 'n_test', 'kept source model', ...refs.map((r) => `ΔAUROC vs ${r}${resolved(r)} [paired CI]`)];
  const rows = fold.methods.map((m) => {
    const e = m.evaluation;
    const deltas = refs.map((r) => {
      const c = fold.comparisons.find((x) => x.method === m.method && x.reference === r);
      return c ? `${signed(c.delta.difference)}${ci(c.delta.ci, signed)}` : '—';
    });
    const kept = m.keptSourceModel === null ? '—' : m.keptSourceModel ? 'yes' : 'no';
    return [m.method, `${fmt(e.auroc)}${ci(e.aurocCI)}`, fmt(e.accuracy), fmt(e.sensitivity), fmt(e.specificity), String(e.nTest), kept, ...deltas];
  });
  return grid(header, rows);
}

function selectionLine(method: string, what: string, s: InnerCvSelection): string {
  const scores = s.candidates.map((c) => {
    if (c.error !== undefined) return `${c.name} failed`;
    const gain = c.gainOverSourceOnly !== undefined && c.name !== 'source_only' ? `, gain ${signed(c.gainOverSourceOnly)} ± ${fmt(c.gainSe ?? Number.NaN)}${c.eligible ? '' : ' (held back by the guard)'}` : '';
    const [m, sd] = s.selectedBy === 'auroc' ? [c.meanAuroc, c.sdAuroc] : [c.meanLogLoss, c.sdLogLoss];
    return `${c.name} ${fmt(m)} ± ${fmt(sd)}${gain}`;
  });
  const cv = s.folds > 0 ? `${s.folds}-fold${s.repeats > 1 ? ` x${s.repeats}` : ''} inner CV` : 'no inner CV (too few labels)';
  return `${method}: ${what} ${s.chosen} by ${cv} ${s.selectedBy === 'auroc' ? 'AUROC' : 'log-loss'} (mean ± sd over folds): ${scores.join('; ')}.`;
}

/** One line per method that chose by inner cross-validation (strategy auto, or a tuned regime): the choice and every candidate's score. */
export function innerCvLines(fold: FoldResult): string[] {
  return fold.methods.flatMap((m) => {
    const t = m.transferReport;
    return [...(t?.auto ? [selectionLine(m.method, 'auto chose', t.auto)] : []), ...(t?.tuning ? [selectionLine(m.method, 'tuning chose', t.tuning)] : [])];
  });
}

/** Renders the protocol's per-fold AUROCs with the mean over folds, then the pooled paired comparisons. */
export function pooledTable(r: RunResult): string {
  const header = ['method', ...r.folds.map((f) => f.id), `mean [t 95% CI]`];
  const rows = r.pooled.methods.map((m) => [m.method, ...m.perFold.map((v) => fmt(v)), `${fmt(m.auroc.mean)}${ci(m.auroc.ci)}`]);
  const cmp = r.pooled.comparisons.map((c) => [
    `${c.method} − ${c.reference}`,
    `${signed(c.delta.mean)}${ci(c.delta.ci, signed)}`,
    c.delta.ci[0] > 0 ? 'better' : c.delta.ci[1] < 0 ? 'worse' : 'not shown',
  ]);
  const out = [grid(header, rows)];
  if (cmp.length) out.push('', grid(['paired ΔAUROC over folds', 'mean [t 95% CI]', 'verdict'], cmp));
  return out.join('\n');
}

/** Renders one fold's shift lines: the source model's shift penalty and the oracle ceiling; '' when the fold has neither. */
export function shiftLines(fold: FoldResult): string {
  const s = fold.shift;
  if (!s) return '';
  const out: string[] = [];
  const p = s.penalty;
  if (p) {
    out.push(
      `Shift penalty (${p.method}): AUROC ${fmt(p.sourceTest.auroc)}${ci(p.sourceTest.ci)} on the source test set (n ${p.sourceTest.n}), ` +
        `${fmt(p.targetTest.auroc)}${ci(p.targetTest.ci)} on the target test set (n ${p.targetTest.n}): penalty ${signed(p.penalty.difference)}${ci(p.penalty.ci, signed)} (source − target).`,
    );
  }
  const o = s.oracle;
  if (o) {
    const risks = [...new Set(o.sourceRisk.map((r) => fmt(r.auroc)))];
    const sourceRisk = risks.length === 1 ? `${risks[0]} (${o.sourceRisk.map((r) => r.site).join(', ')})` : o.sourceRisk.map((r) => `${r.site} ${fmt(r.auroc)}`).join(', ');
    out.push(
      `Oracle ceiling: the generator's true risk scores AUROC ${fmt(o.auroc)}${ci(o.ci)} on the target test set; ` +
        `the source sites' true risk functions score ${sourceRisk} on the same subjects.`,
    );
  }
  return out.join('\n');
}
