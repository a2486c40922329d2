import type { MeanJson, MetricsJson } from '../record/metrics-json.js';
import { escapeHtml, f3, table } from './html-kit.js';

const signed = (v: number | null): string => (v === null ? 'n/a' : `${v >= 0 ? '+' : ''}${v.toFixed(3)}`);
const interval = (ci: readonly [number | null, number | null], f: (v: number | null) => string = signed): string => (ci[0] === null || ci[1] === null ? '' : ` <span class="ci">[${f(ci[0])}, ${f(ci[1])}]</span>`);
const pValue = (p: number | null): string => (p === null ? 'n/a' : p < 0.001 ? '&lt; 0.001' : p.toFixed(3));
const meanCell = (m: MeanJson, sign = false): string => `${sign ? signed(m.mean) : f3(m.mean)}${m.n > 1 ? interval(m.ci, sign ? signed : f3) : ''}`;
// An interval that excludes 0 is the only ground for "better" or "worse"; say which, or that it is not shown.
const verdict = (ci: readonly [number | null, number | null]): string =>
  ci[0] === null || ci[1] === null ? 'n/a' : ci[0] > 0 ? '<b>better</b>' : ci[1] < 0 ? '<b>worse</b>' : 'not shown';

/**
 * The protocol's evidence: each method's AUROC per fold with the mean over folds, and each method
 * against each reference as a paired ΔAUROC: per fold with its paired bootstrap CI and DeLong p, and
 * over folds as the mean paired difference with its Student-t interval.
 */
export function protocolSection(m: MetricsJson): string {
  const folds = m.folds;
  const multi = folds.length > 1;
  const perFold = multi
    ? table(
        ['method', ...folds.map((f) => `${escapeHtml(f.id)}${f.id === f.target ? '' : `<span class="ci">target ${escapeHtml(f.target)}</span>`}`), `mean over ${folds.length} folds [t 95% CI]`],
        m.pooled.methods.map((pm) => [
          escapeHtml(pm.method),
          ...folds.map((f) => {
            const row = f.methods.find((x) => x.method === pm.method);
            return row ? `${f3(row.auroc)}${interval(row.auroc_ci, f3)}` : 'n/a';
          }),
          meanCell(pm.auroc),
        ]),
        'methods',
      )
    : '';
  const pairs = m.pooled.comparisons.map((c) => [
    escapeHtml(`${c.method} − ${c.reference}`),
    ...folds.map((f) => {
      const fc = f.comparisons.find((x) => x.method === c.method && x.reference === c.reference);
      const as = fc?.reference_resolved ? `<span class="ci">vs ${escapeHtml(fc.reference_resolved)}</span>` : '';
      return fc ? `${signed(fc.delta_auroc)}${interval(fc.delta_ci)}${as}<span class="ci">DeLong p ${pValue(fc.delong_p)}</span>` : 'n/a';
    }),
    ...(multi ? [meanCell(c.delta_auroc, true), verdict(c.delta_auroc.ci)] : [verdict(folds[0].comparisons.find((x) => x.method === c.method && x.reference === c.reference)?.delta_ci ?? [null, null])]),
  ]);
  const pairHead = ['method − reference', ...folds.map((f) => `ΔAUROC ${escapeHtml(f.id)} [paired 95% CI]`), ...(multi ? [`mean Δ over folds [t 95% CI]`, 'verdict'] : ['verdict'])];
  return `<section id="protocol"><h2>${multi ? `Across folds (${escapeHtml(m.protocol.kind)})` : 'Paired comparisons'}</h2>
${perFold}
${pairs.length ? table(pairHead, pairs, 'methods') : '<p>No reference method ran, so there are no paired comparisons.</p>'}
<p class="lead">Each fold's ΔAUROC is paired: both methods scored on the same target test subjects, its CI from stratified bootstrap resamples drawn once for both. ${
    multi ? 'Over folds, the mean of the per-fold differences with a Student-t interval on (folds − 1) degrees of freedom. ' : ''
  }A method is called better or worse than a reference only where that interval excludes 0.</p></section>`;
}
