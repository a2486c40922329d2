// Writes the results of `npm run bench:accuracy` to docs/benchmarks-accuracy.json and the Accuracy
// section of docs/benchmarks.md (the Speed section belongs to bench:speed and is left untouched).
import { readFile, writeFile } from 'node:fs/promises';
import type { GridRow } from './accuracy-grid.js';
import { belowTargetOnly, cell, f3, losoTables, summarise, type SummaryEntry } from './accuracy-summary.js';

/** Published FLamby Fed-Heart-Disease accuracies on the pooled test set (du Terrail et al., NeurIPS 2022 Datasets & Benchmarks). */
export const FLAMBY_PUBLISHED: readonly { readonly setting: string; readonly accuracy: number }[] = [
  { setting: 'pooled training', accuracy: 0.795 },
  { setting: 'FedAvg', accuracy: 0.748 },
  { setting: 'Cleveland only', accuracy: 0.784 },
  { setting: 'Switzerland only', accuracy: 0.483 },
];

/** The heading of the section this grid rewrites in docs/benchmarks.md. */
export const HEADING = '## Accuracy, lung cohort and the old grid (`npm run bench:accuracy`)';

/** Where the run came from and how long it took. */
export interface DocsMeta {
  readonly budgets: readonly number[];
  readonly command: string;
  /** A paragraph placed under the heading, e.g. how a split or interrupted run was done. */
  readonly note?: string;
  /** Wall time of this invocation; null when it only summarised earlier rows (the note then says how long they took). */
  readonly wallSeconds: number | null;
  readonly writeJson: (path: string, value: unknown) => Promise<void>;
}

/** Writes both documents from the grid rows. */
export async function writeAccuracyDocs(rows: readonly GridRow[], meta: DocsMeta, jsonPath = 'docs/benchmarks-accuracy.json', mdPath = 'docs/benchmarks.md'): Promise<void> {
  const entries = summarise(rows);
  const loso = entries.filter((e) => e.part === 'loso');
  const budgets = [...new Set(loso.map((e) => e.budget!))].sort((a, b) => a - b);
  await meta.writeJson(jsonPath, {
    generated: new Date().toISOString(),
    command: `npm run bench:accuracy -- ${meta.command}`.trim(),
    wall_seconds: meta.wallSeconds === null ? null : Math.round(meta.wallSeconds),
    ci: '95% Student-t interval of the mean over seeds, clipped to [0, 1]',
    entries: loso,
    flamby_comparison: { published: FLAMBY_PUBLISHED, ours: entries.filter((e) => e.part === 'flamby') },
    lung: entries.filter((e) => e.part === 'lung'),
    below_target_only: belowTargetOnly(entries),
  });
  const section = accuracySection(entries, budgets, meta);
  const md = await readFile(mdPath, 'utf8');
  // The heart-disease sections above it belong to bench:heart and bench:flamby; this grid owns only its own heading.
  const start = md.indexOf(HEADING);
  if (start < 0) throw new Error(`${mdPath}: no '${HEADING}' heading to replace`);
  const next = md.indexOf('\n## ', start + 1);
  await writeFile(mdPath, md.slice(0, start) + section + (next < 0 ? '' : md.slice(next)));
}

function accuracySection(entries: readonly SummaryEntry[], budgets: readonly number[], meta: DocsMeta): string {
  const loso = entries.filter((e) => e.part === 'loso');
  const flamby = entries.filter((e) => e.part === 'flamby');
  const lung = entries.filter((e) => e.part === 'lung');
  const seeds = Math.max(0, ...entries.map((e) => e.n_seeds));
  const out: string[] = [
    HEADING,
    '',
    `Produced by \`npm run bench:accuracy${meta.command ? ` -- ${meta.command}` : ''}\`${meta.wallSeconds === null ? '' : ` (wall time ${(meta.wallSeconds / 60).toFixed(0)} min on the shared 2-core machine)`}; the`,
    'per-cell numbers are in `docs/benchmarks-accuracy.json`. Cells are AUROC mean [95% t-interval over seeds] / accuracy mean',
    `at threshold 0.5, over ${seeds} seeds. Every strategy is in \`docs/methods.md\`.`,
    '',
    ...(meta.note ? [meta.note, ''] : []),
    '### UCI heart disease: splits and how they compare to FLamby',
    '',
    'Data: the four processed UCI files through `examples/heart-disease/manifest.yaml` (`loadManifestCohort`); label = `num > 0`;',
    'tabular-only model (MLP 32-16, head 16; the experiment defaults for every training phase).',
    'Each site is split per seed into a 2/3 training pool and a 1/3 test set, stratified by label. FLamby',
    "(Fed-Heart-Disease) also splits every centre 2/3 : 1/3, but with one fixed split and a logistic-regression model; our",
    'splits are re-drawn for each seed and the model is a small MLP, so the figures are comparable in setting, not identical.',
    '',
    '**Pooled-test comparison** (train on the training pools named, test on the union of all four test sets):',
    '',
    '| setting | FLamby accuracy (published) | ours: accuracy | ours: AUROC |',
    '|---|---|---|---|',
  ];
  const ours = (name: string) => flamby.find((e) => e.strategy === name);
  const pairs: [string, string | null][] = [
    ['pooled training', 'pooled_all_sites'],
    ['FedAvg', null],
    ['Cleveland only', 'cleveland_only'],
    ['Hungarian only', 'hungarian_only'],
    ['Switzerland only', 'switzerland_only'],
    ['VA only', 'va_only'],
  ];
  for (const [setting, name] of pairs) {
    const pub = FLAMBY_PUBLISHED.find((p) => p.setting === setting);
    const e = name ? ours(name) : undefined;
    out.push(`| ${setting} | ${pub ? pub.accuracy.toFixed(3) : '—'} | ${e ? cell(e.accuracy_mean, e.accuracy_ci) : name ? 'not run' : '— (no federated training here)'} | ${e ? cell(e.auroc_mean, e.auroc_ci) : '—'} |`);
  }
  out.push(
    '',
    '### Leave-one-site-out, every strategy, label budgets',
    '',
    'Target = one site; sources = the other three (85% training, 15% early stopping). The label budget is a fraction of the',
    "target's training pool (nested, label-stratified subsets); 30% of a budget of 4 or more is used for early stopping. At",
    '0% only source data and the unlabelled target pool are used; strategies that need target labels are not run there, and',
    '`source_only` (which reads no target labels) is listed at 0% only. The test set is the same for every strategy and budget of a seed.',
    ...losoTables(loso, budgets),
    '',
    '### Where a method does not help',
    '',
    'Strategies whose mean AUROC is below `target_only` at the same site and budget:',
    '',
  );
  for (const b of belowTargetOnly(entries)) {
    out.push(`- ${b.target_site}, ${Math.round(b.budget * 100)}% labels (target_only ${f3(b.target_only)}): ${b.worse.length ? b.worse.map((w) => `${w.strategy} ${f3(w.auroc)}`).join(', ') : 'none'}`);
  }
  const zero = loso.filter((e) => e.budget === 0);
  if (zero.length) {
    out.push('', 'Unsupervised (0% labels) against `source_only`, mean AUROC:', '');
    for (const site of [...new Set(zero.map((e) => e.target_site))]) {
      const base = zero.find((e) => e.target_site === site && e.strategy === 'source_only');
      const rest = zero.filter((e) => e.target_site === site && e.strategy !== 'source_only');
      out.push(`- ${site} (source_only ${f3(base?.auroc_mean)}): ${rest.map((e) => `${e.strategy} ${f3(e.auroc_mean)}${base?.auroc_mean != null && e.auroc_mean != null ? (e.auroc_mean > base.auroc_mean ? ' (higher mean; no paired interval)' : ' (lower mean; no paired interval)') : ''}`).join(', ')}`);
    }
  }
  const neg = loso.filter((e) => e.negative_transfer_sources && Object.keys(e.negative_transfer_sources).length);
  out.push('', '### Negative transfer (typed report of the multi-source strategies)', '');
  out.push('A source is flagged when its own model, fine-tuned on the target budget, has a higher target-validation log-loss than a', 'target-only model on the same budget (`TrainedModel.report.negativeTransfer`). Seeds flagged, per source:', '');
  const seen = new Set<string>();
  for (const e of neg.filter((x) => x.strategy === 'multi_source_weighted')) {
    const k = `${e.target_site}|${e.budget}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(`- target ${e.target_site}, ${Math.round(e.budget! * 100)}% labels: ${Object.entries(e.negative_transfer_sources!).map(([s, n]) => `${s} ${n}/${e.n_seeds}`).join(', ')}`);
  }
  if (!seen.size) out.push('- none flagged (or the multi-source strategies were not run).');
  if (lung.length) {
    out.push('', '### Synthetic lung cohort: fusion types × strategies', '', 'Demo setting (target hosp_d, 60 target labels, `examples/lung-demo.yaml` defaults), image + tabular unless marked unimodal.', '');
    const fusions = [...new Set(lung.map((e) => e.fusion!))];
    const strategies = [...new Set(lung.map((e) => e.strategy))];
    out.push(`| fusion | ${strategies.join(' | ')} |`, `|---|${strategies.map(() => '---').join('|')}|`);
    for (const fu of fusions) {
      out.push(`| ${fu} | ${strategies.map((s) => { const e = lung.find((x) => x.fusion === fu && x.strategy === s); return e ? `${cell(e.auroc_mean, e.auroc_ci)} / ${f3(e.accuracy_mean)}` : '—'; }).join(' | ')} |`);
    }
  }
  out.push('');
  return out.join('\n') + '\n';
}
