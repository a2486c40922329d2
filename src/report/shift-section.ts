import type { FoldShiftJson } from '../record/metrics-json.js';
import { escapeHtml, f3, table } from './html-kit.js';

const ci = (c: readonly [number | null, number | null]): string => (c[0] === null || c[1] === null ? '' : ` <span class="ci">[${f3(c[0])}, ${f3(c[1])}]</span>`);

/** The fold's shift penalty and oracle ceiling as a report section; '' for runs that did not record them. */
export function shiftSection(shift: FoldShiftJson | undefined): string {
  if (!shift || (!shift.penalty && !shift.oracle)) return '';
  const rows: string[][] = [];
  const p = shift.penalty;
  if (p) {
    rows.push([`${escapeHtml(p.method)} on the source test set`, `${f3(p.source_test.auroc)}${ci(p.source_test.ci)}`, String(p.source_test.n)]);
    rows.push([`${escapeHtml(p.method)} on the target test set`, `${f3(p.target_test.auroc)}${ci(p.target_test.ci)}`, String(p.target_test.n)]);
    rows.push(['shift penalty (source − target)', `${f3(p.difference)}${ci(p.ci)}`, '']);
  }
  const o = shift.oracle;
  if (o) {
    rows.push(["oracle ceiling: the generator's true risk on the target test set", `${f3(o.auroc)}${ci(o.ci)}`, String(o.n)]);
    for (const r of o.source_risk) rows.push([`${escapeHtml(r.site)}'s true risk function on the target test set`, f3(r.auroc), String(o.n)]);
  }
  return `<section id="shift"><h2>Site shift</h2>
${table(['', 'AUROC [95% CI]', 'n'], rows)}
<p class="lead">The shift penalty is what the unadapted source model loses between its own sites' held-out subjects and the target's; its CI resamples the two test sets independently (different subjects). ${o ? "The oracle ceiling scores each target test subject by the synthetic generator's true malignancy logit, the best any model could rank them; a source site's true risk function scores below it only where the target's label model differs from that site's (concept shift)." : ''}</p></section>`;
}
