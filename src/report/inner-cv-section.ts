import type { InnerCvSelectionJson, MethodMetricsJson } from '../record/metrics-json.js';
import { escapeHtml, f3, table } from './html-kit.js';

const signed = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '' : `${v >= 0 ? '+' : ''}${v.toFixed(3)}`);

function rows(method: string, what: string, s: InnerCvSelectionJson): string[][] {
  return s.candidates.map((c) => [
    escapeHtml(method),
    what,
    `${escapeHtml(c.name)}${c.name === s.chosen ? ' <b>(chosen)</b>' : ''}`,
    c.error !== undefined ? `failed: ${escapeHtml(c.error)}` : `${f3(c.mean_log_loss)}<span class="ci">sd ${f3(c.sd_log_loss)}</span>`,
    c.error !== undefined ? '' : `${f3(c.mean_auroc)}<span class="ci">sd ${f3(c.sd_auroc)}</span>`,
    c.gain_over_source_only === undefined ? '' : `${signed(c.gain_over_source_only)} ${s.selected_by === 'auroc' ? 'AUROC' : 'log-loss'}<span class="ci">SE ${f3(c.gain_se)}</span>`,
    c.eligible === undefined ? '' : c.eligible ? 'yes' : 'no',
  ]);
}

/** The choices made by inner cross-validation (strategy auto, tuned fine-tuning regimes) with every candidate's scores; '' when no method made one. */
export function innerCvSection(methods: readonly Pick<MethodMetricsJson, 'method' | 'transfer_report'>[]): string {
  const all = methods.flatMap((m) => {
    const t = m.transfer_report;
    return [...(t?.auto ? [{ m: m.method, what: 'auto', s: t.auto }] : []), ...(t?.tuning ? [{ m: m.method, what: 'tune', s: t.tuning }] : [])];
  });
  if (all.length === 0) return '';
  const guards = [...new Set(all.flatMap((a) => (a.s.guard ? [a.s.guard] : [])))];
  const folds = all.map((a) => `${escapeHtml(a.m)} (${a.what}): ${a.s.folds > 0 ? `${a.s.folds} folds${a.s.repeats > 1 ? ` x ${a.s.repeats} repeats` : ''}` : 'no inner CV, too few labels of a class'}`);
  return `<section id="inner-cv"><h2>Choices by inner cross-validation</h2>
${table(['method', 'choice', 'candidate', 'held-out log-loss (mean)', 'held-out AUROC (mean)', 'gain over source_only (selecting score)', 'may replace source_only'], all.flatMap((a) => rows(a.m, a.what, a.s)))}
<p class="lead">Scores on the held-out folds of the target label budget (${folds.join('; ')}); ${[...new Set(all.map((a) => (a.s.selected_by === 'auroc' ? 'the highest mean AUROC' : 'the lowest mean log-loss')))].join(' or ')} selects. ${guards.map((g) => `Guard: ${escapeHtml(g)}.`).join(' ')} The chosen candidate is then run on the whole budget; its target-test result is the method's row above.</p></section>`;
}
