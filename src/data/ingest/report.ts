import type { Manifest } from '../manifest/load.js';
import type { Cohort } from '../types.js';
import { describeDelimiter } from '../tables/types.js';
import type { ExcludedItem, QuarantineItem, TableRead } from './types.js';

/** Distribution of a numeric column at one site (over non-missing values). */
export interface NumericSummary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n - 1); 0 for a single value. */
  readonly sd: number;
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** One shared column at one site. */
export interface ColumnSiteSummary {
  /** False when the site has no value at all in this column. */
  readonly present: boolean;
  readonly missing: number;
  readonly missingFraction: number;
  /** Unit the site recorded before conversion to the shared unit, where it differs. */
  readonly recordedUnit?: string;
  readonly numeric?: NumericSummary;
  /** Category (or 0/1) → count, for categorical and binary columns. */
  readonly counts?: Readonly<Record<string, number>>;
}

/** One shared column, side by side across sites. */
export interface ColumnReport {
  readonly name: string;
  readonly kind: string;
  readonly unit?: string;
  /** Site id → summary. */
  readonly sites: Readonly<Record<string, ColumnSiteSummary>>;
}

/** Per-site totals. */
export interface SiteReport {
  readonly id: string;
  readonly subjects: number;
  readonly positives: number;
  /** positives / subjects; null for a site with no subjects. */
  readonly labelRate: number | null;
  readonly quarantined: number;
  /** Rows left out by the site's include/exclude criteria (not errors, so not quarantined). */
  readonly excluded: number;
  /** Records left out as the same person as a subject of an earlier site (`subjectId.link`). */
  readonly linked: number;
  /** The site's table sources as read this ingest, with the delimiter each CSV/TSV file was split on. */
  readonly tables: readonly TableRead[];
}

/** The harmonisation report of an ingest: per site, which shared columns exist, missingness, units, distributions, and the quarantined items. */
export interface HarmonisationReport {
  readonly manifest: string;
  readonly name: string;
  readonly sites: readonly SiteReport[];
  readonly columns: readonly ColumnReport[];
  readonly quarantine: readonly QuarantineItem[];
  /** Quarantined items grouped by reason (ids, files and values masked), most frequent first. */
  readonly quarantineByReason: readonly ReasonCount[];
  /** Rows left out on purpose: criteria and links, one entry each. */
  readonly excluded: readonly ExcludedItem[];
}

/** How many quarantined items share one reason, once the ids, files and values in it are masked. */
export interface ReasonCount {
  readonly reason: string;
  readonly count: number;
  /** Site id → count. */
  readonly sites: Readonly<Record<string, number>>;
}

/**
 * A quarantine reason with what varies per item masked, so items quarantined for the same cause group
 * together: quoted values become `'…'`, numbers `#`, and the word after subject/patient/key/file `…`.
 */
export function reasonKind(reason: string): string {
  return reason
    .replace(/'[^']*'/g, "'…'")
    .replace(/\b(subject|patient|key|of|image) (?!\()[^\s:,;()]+/g, '$1 …')
    .replace(/(\/[^\s:,;()]+)+/g, '…')
    .replace(/\d+(\.\d+)?/g, '#');
}

/** Groups quarantined items by reasonKind, most frequent first (ties by reason). */
export function summariseQuarantine(quarantine: readonly QuarantineItem[]): ReasonCount[] {
  const by = new Map<string, { count: number; sites: Record<string, number> }>();
  for (const q of quarantine) {
    const k = reasonKind(q.reason);
    const e = by.get(k) ?? { count: 0, sites: {} };
    e.count++;
    e.sites[q.site] = (e.sites[q.site] ?? 0) + 1;
    by.set(k, e);
  }
  return [...by].map(([reason, e]) => ({ reason, ...e })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
}

function summarise(xs: number[]): NumericSummary {
  const s = xs.slice().sort((a, b) => a - b);
  const n = s.length;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const median = n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { n, mean, sd, min: s[0], median, max: s[n - 1] };
}

/** Builds the harmonisation report from the cohort as stored in the catalog and the tables read per site (site id → tables). */
export function buildHarmonisationReport(
  manifest: Manifest,
  cohort: Cohort,
  quarantine: readonly QuarantineItem[],
  tables: Readonly<Record<string, readonly TableRead[]>>,
  excluded: readonly ExcludedItem[] = [],
): HarmonisationReport {
  const bySite = new Map(cohort.sites.map((s) => [s.id, cohort.samples.filter((x) => x.siteId === s.id)]));
  const sites: SiteReport[] = cohort.sites.map((s) => {
    const xs = bySite.get(s.id) ?? [];
    const positives = xs.filter((x) => x.label === 1).length;
    return { id: s.id, subjects: xs.length, positives, labelRate: xs.length ? positives / xs.length : null, quarantined: quarantine.filter((q) => q.site === s.id).length,
      excluded: excluded.filter((x) => x.site === s.id && x.kind === 'criteria').length,
      linked: excluded.filter((x) => x.site === s.id && x.kind === 'link').length,
      tables: tables[s.id] ?? [],
    };
  });
  const columns: ColumnReport[] = manifest.schema.map((col) => {
    const perSite: Record<string, ColumnSiteSummary> = {};
    for (const s of cohort.sites) {
      const values = (bySite.get(s.id) ?? []).map((x) => x.tabular?.[col.name] ?? null);
      const present = values.filter((v) => v !== null);
      const missing = values.length - present.length;
      const base = {
        present: present.length > 0,
        missing,
        missingFraction: values.length ? missing / values.length : 0,
        ...(s.recordedUnits?.[col.name] !== undefined && { recordedUnit: s.recordedUnits[col.name] }),
      };
      if (col.kind === 'numeric') perSite[s.id] = { ...base, ...(present.length > 0 && { numeric: summarise(present.map(Number)) }) };
      else {
        const counts: Record<string, number> = {};
        for (const v of present) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
        perSite[s.id] = { ...base, counts: Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))) };
      }
    }
    return { name: col.name, kind: col.kind, ...(col.unit !== undefined && { unit: col.unit }), sites: perSite };
  });
  return { manifest: manifest.path, name: manifest.name, sites, columns, quarantine, quarantineByReason: summariseQuarantine(quarantine), excluded };
}

function fmt(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** The report as a plain-text table: one row per shared column, one column per site. */
export function formatHarmonisationReport(r: HarmonisationReport): string {
  const ids = r.sites.map((s) => s.id);
  const header = ['column', 'kind', 'unit', ...ids];
  const rows: string[][] = [
    ['subjects', '', '', ...r.sites.map((s) => String(s.subjects))],
    ['label rate', '', '', ...r.sites.map((s) => (s.labelRate === null ? '-' : `${(100 * s.labelRate).toFixed(1)}%`))],
    ['quarantined', '', '', ...r.sites.map((s) => String(s.quarantined))],
    ['excluded', '', '', ...r.sites.map((s) => String(s.excluded))],
    ['linked', '', '', ...r.sites.map((s) => String(s.linked))],
  ];
  for (const c of r.columns) {
    rows.push([
      c.name,
      c.kind,
      c.unit ?? '',
      ...ids.map((id) => {
        const s = c.sites[id];
        if (!s || !s.present) return 'absent';
        const miss = s.missing ? ` (${(100 * s.missingFraction).toFixed(s.missingFraction < 0.01 ? 1 : 0)}% missing)` : '';
        const unit = s.recordedUnit ? ` [from ${s.recordedUnit}]` : '';
        if (s.numeric) return `${fmt(s.numeric.mean)}±${fmt(s.numeric.sd)} [${fmt(s.numeric.min)}, ${fmt(s.numeric.median)}, ${fmt(s.numeric.max)}]${miss}${unit}`;
        return `${Object.entries(s.counts ?? {}).map(([k, n]) => `${k}:${n}`).join(' ')}${miss}`;
      }),
    ]);
  }
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => c.padEnd(widths[k])).join('  ').trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  out.push('', 'numeric: mean±sd [min, median, max] over non-missing values; categorical: value:count');
  const read = r.sites.flatMap((s) => s.tables.map((t) => `  [${s.id}] ${t.source}${t.delimiter ? `: delimiter ${describeDelimiter(t.delimiter)}` : ''}`));
  if (read.length) out.push('', 'tables read:', ...read);
  if (r.quarantineByReason.length) {
    out.push('', 'quarantined by reason:');
    for (const g of r.quarantineByReason) out.push(`  ${String(g.count).padStart(5)}  ${g.reason}  (${Object.entries(g.sites).map(([k, n]) => `${k}: ${n}`).join(', ')})`);
  }
  if (r.excluded.length) {
    out.push('', `excluded (${r.excluded.length}):`);
    for (const x of r.excluded) out.push(`  [${x.site}] ${x.item}: ${x.reason}`);
  }
  if (r.quarantine.length) {
    out.push('', `quarantined (${r.quarantine.length}):`);
    for (const q of r.quarantine) out.push(`  [${q.site}] ${q.item}: ${q.reason}`);
  }
  return out.join('\n');
}
