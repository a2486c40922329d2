import { readPredictionsFile } from '../evaluate/predictions-file.js';
import { evaluatePredictions, type Json } from '../evaluate/predictions-report.js';
import { evaluationReportHtml } from '../report/evaluate-html.js';
import { writeFileAtomic } from '../util/fs.js';

/** Options of `medtl evaluate`. */
export interface EvaluateFlags {
  readonly json?: boolean;
  readonly seed: number;
  readonly bootstrap: number;
  readonly threshold: number;
  readonly atSpecificity: number;
  readonly atSensitivity: number;
  /** Subgroup columns, in the order given. */
  readonly subgroup: readonly string[];
  /** The subgroup column cut into `ageBands`. */
  readonly ageColumn: string;
  readonly ageBands: readonly number[];
  readonly minPerClass: number;
  /** HTML report file to write as well (binary predictions only). */
  readonly report?: string;
}

const fmt = (v: Json | undefined): string => (typeof v === 'number' ? v.toFixed(3) : 'n/a');

// One scope (overall or a site) as aligned "metric  value  [lo, hi]" lines.
function scopeLines(title: string, b: { [key: string]: Json }, metrics: readonly string[]): string[] {
  const lines = [`${title} (n=${String(b.n)}${b.n_positive !== undefined ? `, positives=${String(b.n_positive)}` : ''})`];
  for (const m of metrics) {
    const c = b[`${m}_ci`];
    lines.push(`  ${m.padEnd(26)} ${fmt(b[m]).padStart(6)}   ${Array.isArray(c) ? `[${fmt(c[0])}, ${fmt(c[1])}]` : 'n/a'}`);
  }
  return lines;
}

/** Evaluates a predictions CSV and prints the metrics table, or the JSON document with `--json`. */
export async function evaluateAndPrint(file: string, flags: EvaluateFlags): Promise<void> {
  const predictions = await readPredictionsFile(file);
  const opts = {
    threshold: flags.threshold,
    resamples: flags.bootstrap,
    level: 0.95,
    seed: flags.seed,
    atSpecificity: flags.atSpecificity,
    atSensitivity: flags.atSensitivity,
    subgroups: [...new Set(flags.subgroup)].map((column) => (column === flags.ageColumn ? { column, bands: flags.ageBands } : { column })),
    minPerClass: flags.minPerClass,
  };
  const doc = evaluatePredictions(predictions, opts);
  if (flags.report) {
    await writeFileAtomic(flags.report, await evaluationReportHtml(predictions, opts));
    process.stderr.write(`medtl: report written to ${flags.report}\n`);
  }
  const warnings = doc.warnings as string[];
  for (const w of warnings) process.stderr.write(`medtl: warning: ${w}\n`);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const overall = doc.overall as { [key: string]: Json };
  const metrics = Object.keys(overall).filter((k) => `${k}_ci` in overall);
  const out = scopeLines('overall', overall, metrics);
  for (const s of doc.sites as { [key: string]: Json }[]) out.push('', ...scopeLines(`site ${String(s.site)}`, s, metrics));
  for (const g of doc.subgroups as { [key: string]: Json }[]) {
    const title = `subgroup ${String(g.column)}=${String(g.group)}`;
    out.push('', ...scopeLines(g.too_small ? `${title} [too small: ${String(g.reason)}]` : title, g, metrics));
  }
  for (const m of doc.methods as { [key: string]: Json }[]) out.push('', ...scopeLines(`method ${String(m.method)}`, m, metrics));
  const comparisons = doc.comparisons as { [key: string]: Json }[];
  if (comparisons.length > 0) out.push('', "DeLong's test (AUROC a - b):");
  for (const c of comparisons) {
    out.push(`  ${String(c.a)} vs ${String(c.b)}: ${c.error ? `n/a (${String(c.error)})` : `difference ${fmt(c.difference)}, z ${fmt(c.z)}, p ${typeof c.p === 'number' ? c.p.toPrecision(3) : 'n/a'}`}`);
  }
  out.push(
    '',
    `${doc.task === 'binary' ? `Threshold ${flags.threshold} on y_score; ` : 'Predicted class: highest score; '}` +
      `95% CI: bootstrap stratified by y_true, ${flags.bootstrap} resamples, seed ${flags.seed}.`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}
