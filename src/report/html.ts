import { stringify as toYaml } from 'yaml';
import { describeCompute, type MethodMetricsJson } from '../record/metrics-json.js';
import { innerCvSection } from './inner-cv-section.js';
import { protocolSection } from './protocol-section.js';
import { shiftSection } from './shift-section.js';
import { CSS, escapeHtml, f3, figure, table, withCi, type ChartId } from './html-kit.js';
import type { ModelCard } from './model-card.js';
import type { ReportData } from './report-data.js';

export { CHART_IDS, type ChartId } from './html-kit.js';


/** One sentence on the target-test subjects that lacked a modality a method uses (older runs lack the field). */
function missingNote(methods: readonly { method: string; missing_modalities?: Readonly<Record<string, number>> }[]): string {
  const lacking = methods.flatMap((m) => Object.entries(m.missing_modalities ?? {}).filter(([, n]) => n > 0).map(([mod, n]) => `${escapeHtml(m.method)}: ${n} without ${escapeHtml(mod)}`));
  if (methods.every((m) => m.missing_modalities === undefined)) return '';
  return lacking.length ? `Target test subjects lacking a modality, predicted from the others with it masked: ${lacking.join('; ')}.` : 'Every target test subject had every modality its method uses.';
}

/** The sources each multi-source or re-weighting method judged, with negative transfer flagged; '' when no method reported on its sources. */
export function transferReportSection(methods: readonly Pick<MethodMetricsJson, 'method' | 'transfer_report'>[]): string {
  // Runs written before transfer_report existed lack the field; a report that only carries an inner-CV choice has its own section.
  const reported = methods.filter((m) => m.transfer_report && (m.transfer_report.sources || m.transfer_report.importance_weights || m.transfer_report.notes));
  if (reported.length === 0) return '';
  const rows = reported.flatMap((m) => {
    const t = m.transfer_report!;
    const negative = new Set(t.negative_transfer ?? []);
    return (t.sources ?? []).map((s) => [
      escapeHtml(m.method),
      escapeHtml(s.site),
      String(s.n_train),
      s.weight === undefined ? '' : f3(s.weight),
      s.logme === undefined ? '' : f3(s.logme),
      s.selected === undefined ? '' : s.selected ? 'yes' : 'no',
      s.target_val_auroc === undefined ? '' : f3(s.target_val_auroc),
      s.target_val_loss === undefined ? '' : f3(s.target_val_loss),
      t.target_only_val_loss === undefined ? '' : f3(t.target_only_val_loss),
      negative.has(s.site) ? '<b>yes</b>' : t.negative_transfer ? 'no' : '',
    ]);
  });
  const notes = reported.flatMap((m) => {
    const t = m.transfer_report!;
    const w = t.importance_weights;
    const weights = w ? [`${escapeHtml(m.method)}: importance weights of ${w.n} source rows range ${f3(w.min)}–${f3(w.max)}, effective sample size ${w.effective_sample_size.toFixed(1)}.`] : [];
    return [...weights, ...(t.notes ?? []).map((n) => `${escapeHtml(m.method)}: ${escapeHtml(n)}`)];
  });
  return `<section id="transfer-report"><h2>Sources and negative transfer</h2>
${rows.length ? table(['method', 'source', 'train subjects', 'weight', 'LogME', 'selected', 'target val AUROC of its model', 'target val log-loss', 'target-only val log-loss', 'negative transfer'], rows) : ''}
<p class="lead">Negative transfer: the source's own model, fine-tuned on the target budget, has a higher target-validation log-loss than a target-only model trained on the same budget. Empty cells: the strategy did not compute that value.</p>${notes.length ? `<ul>${notes.map((n) => `<li>${n}</li>`).join('')}</ul>` : ''}</section>`;
}


function cardHtml(c: ModelCard): string {
  const e = c.evaluation;
  const li = (xs: readonly string[]) => `<ul>${xs.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`;
  const auroc = e.metrics.auroc;
  return `<section class="card" id="model-card"><h2>Model card: ${escapeHtml(c.model.method)}</h2>
<p>Strategy <code>${escapeHtml(c.model.strategy)}</code>, modalities ${escapeHtml(c.model.modalities.join(' + '))}; run <code>${escapeHtml(c.model.run_id)}</code>. Also written as <code>model-card.md</code> and <code>model-card.json</code> next to this file.</p>
<h3>Intended use</h3><p>${escapeHtml(c.intended_use.primary_use)}</p><p>Intended users: ${escapeHtml(c.intended_use.intended_users)}</p><p>Out of scope:</p>${li(c.intended_use.out_of_scope)}
<h3>Training sites and counts</h3>${table(
    ['site', 'role', 'subjects', 'positives', 'prevalence'],
    c.training_data.sites.map((s) => [escapeHtml(s.site), escapeHtml(s.role), String(s.n), String(s.positives), f3(s.prevalence)]),
  )}
<p>Partitions: ${escapeHtml(Object.entries(c.training_data.partitions).map(([k, v]) => `${k} ${v}`).join(', '))}.</p>
<h3>Evaluation</h3><p>Test set: ${escapeHtml(e.test_set)}: ${e.n_test} subjects, ${e.n_positive} positive. AUROC ${auroc ? withCi(auroc.value ?? Number.NaN, auroc.ci ? [auroc.ci[0] ?? Number.NaN, auroc.ci[1] ?? Number.NaN] : [Number.NaN, Number.NaN]) : 'n/a'}; threshold ${f3(e.threshold.value)} (${escapeHtml(e.threshold.chosen_by)}): sensitivity ${f3(e.threshold.sensitivity)}, specificity ${f3(e.threshold.specificity)}; ECE ${f3(e.calibration.ece_before)} before and ${f3(e.calibration.ece_after)} after temperature scaling. ${escapeHtml(e.bootstrap)}.</p>
<h3>Limitations</h3>${li(c.limitations)}<h3>Caveats</h3>${li(c.caveats)}</section>`;
}

/**
 * The report page: run summary and config, per-site data, the method table with CIs, every chart
 * (inline SVG) and the model card. Inline CSS only and no scripts, so it opens offline and makes no requests.
 */
export function reportHtml(d: ReportData, svgs: Partial<Record<ChartId, string>>, card: ModelCard): string {
  const f = d.files;
  const mj = f.metrics;
  const fold = d.fold.json;
  const p = fold.partitions;
  const cmp = new Map(d.comparisons.map((c) => [c.b, c]));
  const methodRows = d.methods.map((m) => {
    const s = m.summary.metrics;
    const c = cmp.get(m.method);
    const y = m.json.youden ?? null;
    const t = m.json.temperature_scaling ?? null;
    return [
      `${escapeHtml(m.method)}${m.method === d.primary ? ' ★' : ''}`,
      `${escapeHtml(m.strategy)}<span class="ci">${escapeHtml(m.modalities.join(' + '))}${m.json.kept_source_model ? '; <b>kept source model</b>' : ''}</span>`,
      withCi(s.auroc.value, s.auroc.ci),
      withCi(s.auprc.value, s.auprc.ci),
      withCi(s.balanced_accuracy.value, s.balanced_accuracy.ci),
      withCi(s.brier.value, s.brier.ci),
      withCi(s.ece.value, s.ece.ci),
      y ? `${f3(y.threshold)}<span class="ci">sens ${f3(y.sensitivity)}, spec ${f3(y.specificity)}</span>` : 'n/a',
      t ? `${f3(t.temperature)}<span class="ci">ECE ${f3(t.ece_after)}</span>` : 'n/a',
      m.method === d.primary ? '—' : c ? `${c.difference >= 0 ? '+' : ''}${c.difference.toFixed(3)}<span class="ci">p ${c.p < 0.001 ? '&lt; 0.001' : c.p.toFixed(3)}</span>` : 'n/a',
    ];
  });
  const siteRows = f.sites.map((s) => [escapeHtml(s.site), escapeHtml(s.role), String(s.n), String(s.positives), f3(s.prevalence), String(s.withImage), String(s.withRecord)]);
  const sub = d.subgroups;
  const subRows = sub.map((g) => [
    escapeHtml(g.method),
    escapeHtml(`${g.column}: ${g.group}`),
    String(g.n),
    String(g.nPositive),
    g.tooSmall ? `${f3(g.auroc)} <span class="small">too small: ${escapeHtml(g.reason ?? '')}</span>` : withCi(g.auroc, g.ci),
  ]);
  const n = d.methods[0]?.summary.n ?? 0;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>medtl report: ${escapeHtml(f.config.name)} (${escapeHtml(mj.run_id)})</title>
<style>${CSS}</style></head>
<body><main>
<h1>medtl report: ${escapeHtml(f.config.name)}</h1>
<p class="lead">Run <code>${escapeHtml(mj.run_id)}</code>. ${mj.folds.length > 1 ? `Protocol ${escapeHtml(mj.protocol.kind)}, ${mj.folds.length} folds; the detailed sections show fold <b>${escapeHtml(fold.id)}</b>: ` : ''}Target site <b>${escapeHtml(fold.target)}</b>, sources ${escapeHtml(fold.sources.join(', '))}. ${n} target test subjects. This file is self-contained: it loads nothing.</p>
<section id="summary"><h2>Run summary</h2><dl class="kv">
<dt>experiment</dt><dd>${escapeHtml(f.config.name)} (seed ${mj.seed})</dd>
<dt>cohort</dt><dd>${escapeHtml(f.cohortKind)}</dd>
<dt>backend</dt><dd>${escapeHtml(describeCompute(mj))}, ${Number.isFinite(f.seconds) ? `${f.seconds.toFixed(1)} s` : 'time not recorded'}</dd>
<dt>target label budget</dt><dd>${p.target_labelled_train + p.target_labelled_val} subjects (${p.target_labelled_train} fit + ${p.target_labelled_val} validation), ${p.target_unlabelled} unlabelled</dd>
<dt>source subjects</dt><dd>${p.source_train} train, ${p.source_val} validation, ${p.source_test} test</dd>
<dt>evaluation</dt><dd>threshold ${f.config.evaluation.threshold}; 95% CIs by bootstrap stratified by label, ${d.options.resamples} resamples, seed ${d.options.seed}</dd>
</dl>
<details><summary>Configuration (config.json)</summary><pre>${escapeHtml(toYaml(f.config))}</pre></details></section>
<section id="sites"><h2>Data by site</h2>${table(['site', 'role', 'subjects', 'positives', 'prevalence', 'with image', 'with record'], siteRows)}</section>
<section id="methods"><h2>Method comparison (target test)</h2>
${table(['method', 'strategy, modalities', 'AUROC', 'AUPRC', 'balanced accuracy', 'Brier', 'ECE', 'Youden threshold, test sens/spec', 'temperature, test ECE after', `AUROC of ${escapeHtml(d.primary)} minus this, DeLong p`], methodRows, 'methods')}
<p class="lead">★ the primary (transfer) method the model card describes. "Kept source model": the method's final weights equal the source-pretrained model's bit for bit, so its target phase changed nothing. Balanced accuracy at threshold ${f.config.evaluation.threshold}. Youden's threshold and the temperature are fitted on the ${fold.methods[0]?.n_val ?? 0} target validation subjects and applied unchanged to test. DeLong: two-sided test of the AUROC difference (${escapeHtml(d.primary)} minus the row) on the same subjects. ${missingNote(fold.methods)}</p></section>
${shiftSection(fold.shift)}
${protocolSection(mj)}
${transferReportSection(fold.methods)}
${innerCvSection(fold.methods)}
<section id="plots"><h2>Plots</h2>
<div class="grid">${figure('roc', svgs.roc, 'ROC per method; dashed: chance.')}${figure('pr', svgs.pr, 'Precision-recall per method; dashed: prevalence (a no-skill classifier).')}</div>
${figure('calibration', svgs.calibration, 'Reliability per method: mean predicted probability against observed frequency of positives in 10 equal-width bins, dot area = subjects in the bin; red before, blue after temperature scaling fitted on target validation. Dashed: perfect calibration.')}
${figure('confusion', svgs.confusion, 'Confusion matrices on target test at each method\'s Youden threshold from target validation (or the fixed threshold where validation could not set one).')}
${figure('budget', svgs.budget, d.budgetCurve.length ? `Each point retrains the method with that many labelled target subjects (nested subsets, stratified by label; ${Math.round(f.config.split.targetValFraction * 100)}% of them for early stopping), except the point at ${p.target_labelled_train + p.target_labelled_val}, which is the main run; the same target test set throughout.` : 'No label-budget curve: evaluation.budgetCurve was empty for this run.')}
${figure('sites', svgs.sites, 'AUROC by site with 95% CI: source sites on their held-out source test subjects, the target on target test. Dashed: chance.')}
${figure('subgroups', svgs.subgroups, sub.length ? `AUROC by subgroup of the target test set with 95% CI. Faded bars: fewer than ${d.minPerClass} positives or negatives, so no CI is reported.` : 'No subgroup columns were recorded for this run.')}
</section>
${sub.length ? `<section id="subgroup-table"><h2>Subgroups (target test)</h2>${table(['method', 'subgroup', 'n', 'positives', 'AUROC [95% CI]'], subRows)}</section>` : ''}
${cardHtml(card)}
</main></body></html>
`;
}
