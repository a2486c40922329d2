import { dirname } from 'node:path';
import fhirpath from 'fhirpath';
import { readFhirTable } from '../fhir/ndjson.js';
import type { ManifestSite } from '../manifest/load.js';
import type { LabelSpec, SharedColumn, TableSource } from '../manifest/schema.js';
import { findColumnConversion } from '../manifest/units.js';
import { readTableFile } from '../tables/read.js';
import { TableReadError, type TableData } from '../tables/types.js';
import type { BinaryLabel, TabularValue } from '../types.js';
import { applyConversion, type UnitConversion } from '../units.js';
import { missingKeyMessage, type Pseudonymiser } from '../deid/table.js';
import { describeNearest } from '../../util/nearest.js';
import { listImages } from './images.js';
import type { ExcludedItem, ImageRef, PreparedSite, PreparedSubject, QuarantineItem, StrayImage } from './types.js';
import { expressionColumns } from '../manifest/expressions.js';

/** Options for preparing a site. */
export interface PrepareOptions {
  /** Needed when the site declares a PHI column `pseudonymise`; without it preparation refuses. */
  readonly pseudonymise?: Pseudonymiser;
  /** Where remote image sources may download files. */
  readonly downloadDir?: string;
}

/** Thrown when a site cannot be prepared at all for a reason the user must fix (e.g. no de-identification key). */
export class PrepareError extends Error {
  override readonly name = 'PrepareError';
}

/** Reads one table source of a site (a delimited/Parquet file or a FHIR export). */
export async function readSource(t: TableSource, textColumns: readonly string[] = []): Promise<TableData> {
  if (t.fhir) return readFhirTable(t.fhir);
  // Identifiers are text: DuckDB would read `0042` as the number 42 and lose the PACS's Patient ID.
  return readTableFile({ ...t, path: t.path as string, textColumns });
}

/** The text form of a subject identifier or join key: trimmed as written, never reformatted as a number. */
export function idKey(v: TabularValue): string {
  return typeof v === 'number' ? String(v) : String(v).trim();
}

/** The text form of a value used for comparisons: numbers canonical (`1.0` → `1`), text trimmed. */
export function valueKey(v: TabularValue): string {
  if (typeof v === 'number') return String(v);
  const s = String(v).trim();
  const n = Number(s);
  return s !== '' && Number.isFinite(n) ? String(n) : s;
}

interface Merged {
  id: string;
  rawKey: string;
  values: Record<string, TabularValue>;
  from: string[];
}

/**
 * Reads a site's tables, identifies subjects, applies the label and the column mapping to the shared
 * schema and joins image files. Bad rows are quarantined with their file and line; the rest is kept.
 * PHI columns are never carried: dropped, or (the id column only) replaced by a keyed pseudonym.
 */
export async function prepareSite(site: ManifestSite, schema: readonly SharedColumn[], options: PrepareOptions = {}): Promise<PreparedSite> {
  const quarantine: QuarantineItem[] = [];
  const q = (item: string, reason: string) => quarantine.push({ site: site.id, item, reason });
  const excluded: ExcludedItem[] = [];
  const strays: StrayImage[] = [];
  const problems: string[] = [];
  const needsKey = Object.values(site.phi).includes('pseudonymise');
  if (needsKey && !options.pseudonymise) throw new PrepareError(missingKeyMessage(`site '${site.id}' (${site.declaredIn})`));
  const idCol = site.subjectId.column;
  const idIsPhi = idCol !== undefined && site.phi[idCol] === 'pseudonymise';
  const shown = (raw: string) => (idIsPhi && options.pseudonymise ? options.pseudonymise(raw) : raw);

  const tables: TableData[] = [];
  const sourceFiles: string[] = [];
  for (const t of site.tables) {
    try {
      // Notes are text too: a note of digits only must not become a number.
      const data = await readSource(t, [idCol, site.subjectId.link, site.images?.key, site.text?.column].filter((c): c is string => c !== undefined));
      tables.push(data);
      sourceFiles.push(...data.files);
      for (const r of data.rejected) q(`${r.file} ${r.where}`, r.reason);
    } catch (e) {
      if (!(e instanceof TableReadError)) throw e;
      // A table that cannot be read at all is a wrong path or root, not a bad row: the ingest refuses.
      problems.push(`site '${site.id}' (${site.declaredIn}): tables: ${e.message}`);
    }
  }

  // Subjects: one per id; several tables are joined on the id column.
  const merged = new Map<string, Merged>();
  const duplicated = new Map<string, string>();
  const columnsSeen = new Set<string>();
  for (const table of tables) {
    table.columns.forEach((c) => columnsSeen.add(c));
    const firstAt = new Map<string, string>();
    const only = site.rowsWhere !== undefined && table.columns.includes(site.rowsWhere.column) ? site.rowsWhere : undefined;
    for (const row of table.rows) {
      const at = `${table.source} ${row.where}`;
      if (only !== undefined) {
        // Another site made from the same sitesFrom entry takes this row (or, empty, the first one does).
        const v = row.values[only.column];
        const empty = v === null || v === undefined || idKey(v) === '';
        if (empty ? !only.takesEmpty : idKey(v) !== only.value) continue;
      }
      let rawKey: string;
      if (site.subjectId.row) rawKey = `${site.id}-${row.line ?? row.where.replace(/\D+/g, '')}`;
      else {
        const v = row.values[idCol as string];
        if (v === undefined) {
          q(at, `no subject id column '${idCol}' (columns: ${table.columns.join(', ')})`);
          continue;
        }
        if (v === null || String(v).trim() === '') {
          q(at, `subject id column '${idCol}' is empty`);
          continue;
        }
        rawKey = idKey(v);
      }
      const id = shown(rawKey);
      // A FHIR row is located by its Patient id: with a PHI id, the location shows the pseudonym.
      const rowWhere = idIsPhi ? row.where.split(rawKey).join(id) : row.where;
      const where = `${table.source} ${rowWhere}`;
      const prev = firstAt.get(id);
      if (prev !== undefined) {
        // Two rows for one subject in one table: neither can be trusted to be the right one.
        q(where, `subject ${id} appears twice in ${table.source} (also at ${prev})`);
        if (!duplicated.has(id)) duplicated.set(id, `${table.source} ${prev}`);
        continue;
      }
      firstAt.set(id, rowWhere);
      const m = merged.get(id) ?? { id, rawKey, values: {}, from: [] };
      Object.assign(m.values, row.values);
      m.from.push(where);
      merged.set(id, m);
    }
  }
  for (const [id, at] of duplicated) {
    merged.delete(id);
    q(at, `subject ${id} appears more than once in the table; all its rows are quarantined`);
  }

  const plans = schema.map((col) => columnPlan(site, col, columnsSeen));
  const recordedUnits: Record<string, string> = {};
  for (const p of plans) if (p.unit !== undefined && p.col.unit !== undefined && p.unit !== p.col.unit) recordedUnits[p.col.name] = p.unit;

  const textCol = site.text?.column;
  if (tables.length === site.tables.length) problems.push(...namedColumnProblems(site, [...columnsSeen]));
  const linkCol = site.subjectId.link;
  const linkIsPhi = linkCol !== undefined && site.phi[linkCol] === 'pseudonymise';
  const subjects: PreparedSubject[] = [];
  for (const m of merged.values()) {
    const at = m.from.join(' + ');
    const within = site.rowsWhere;
    if (within !== undefined) {
      const v = m.values[within.column];
      if (v === null || v === undefined || idKey(v) === '') {
        // Every site made from the entry sees such a subject; the first one quarantines it, so it is counted once.
        if (within.takesEmpty) q(at, `site column '${within.column}' (sitesFrom) is empty${v === undefined ? ' or the subject is in no table that has it' : ''}`);
        continue;
      }
    }
    const criteria = applyCriteria(site, m.values);
    if (criteria !== undefined) {
      if ('error' in criteria) q(at, criteria.error);
      else excluded.push({ site: site.id, item: at, reason: criteria.excluded, kind: 'criteria' });
      continue;
    }
    const link = linkCol === undefined ? null : (m.values[linkCol] ?? null);
    const linkKey = link === null || idKey(link) === '' ? undefined : linkIsPhi && options.pseudonymise ? options.pseudonymise(idKey(link)) : idKey(link);
    const label = applyLabel(site.label, m.values);
    if ('error' in label) {
      q(at, label.error);
      continue;
    }
    const record: Record<string, TabularValue> = {};
    let bad: string | undefined;
    for (const p of plans) {
      const r = mapValue(p, m.values);
      if (typeof r === 'object' && r !== null && 'error' in r) {
        bad = r.error;
        break;
      }
      record[p.col.name] = r as TabularValue;
    }
    if (bad !== undefined) {
      q(at, bad);
      continue;
    }
    const pseudonyms: Record<string, string> = {};
    for (const [col, action] of Object.entries(site.phi)) {
      const v = m.values[col];
      if (action === 'pseudonymise' && col !== idCol && v !== null && v !== undefined && options.pseudonymise) pseudonyms[col] = options.pseudonymise(valueKey(v));
    }
    subjects.push({
      siteId: site.id,
      subjectId: m.id,
      label: label.label,
      ...(label.source !== undefined && { labelSource: label.source }),
      record,
      ...(Object.keys(pseudonyms).length > 0 && { pseudonyms }),
      ...(noteOf(m.values, textCol) !== undefined && { text: noteOf(m.values, textCol) }),
      ...(linkKey !== undefined && { linkKey }),
      from: at,
    });
  }

  let withImages = subjects;
  if (site.images) {
    const keyCol = site.images.key ?? idCol;
    const keyOf = new Map<string, string>();
    for (const s of subjects) {
      const m = merged.get(s.subjectId) as Merged;
      const k = keyCol === undefined ? m.rawKey : m.values[keyCol];
      if (k !== null && k !== undefined) keyOf.set(s.subjectId, idKey(k));
    }
    const keyIsPhi = keyCol !== undefined && site.phi[keyCol] === 'pseudonymise';
    const showKey = (k: string) => (keyIsPhi && options.pseudonymise ? options.pseudonymise(k) : k);
    // Image file names often carry the key (an MRN): with a PHI key, messages show the pseudonym instead.
    const rawKeys = [...new Set(keyOf.values())].sort((a, b) => b.length - a.length);
    const hidePath = (path: string) => (keyIsPhi ? rawKeys.reduce((p, k) => p.split(k).join(showKey(k)), path) : path);
    try {
      const listing = await listImages(site.images, { siteId: site.id, keys: [...keyOf.values()], downloadDir: options.downloadDir });
      for (const u of listing.unmatched) {
        // A failed DICOMweb pull is this site's problem; a listed file whose name has no key may be another site's to explain.
        if (site.images.dicomweb) q(hidePath(u.file), hidePath(u.reason));
        else strays.push({ site: site.id, file: u.file, item: hidePath(u.file), reason: hidePath(u.reason) });
      }
      const used = new Set<string>();
      withImages = [];
      for (const s of subjects) {
        const key = keyOf.get(s.subjectId);
        const files = key === undefined ? undefined : listing.byKey.get(key);
        if (files && key !== undefined) {
          used.add(key);
          withImages.push({ ...s, image: { key: showKey(key), files, ...(keyIsPhi && { phiKey: true, hide: hidePath }) } satisfies ImageRef });
        } else if (site.images.required) {
          const where = site.images.folder !== undefined ? `in ${site.images.folder} (pattern ${site.images.pattern})` : `among ${site.images.glob ?? site.images.dicomweb?.url}`;
          q(s.from, key === undefined ? `no image join key (column '${keyCol}' is empty)` : `join key ${showKey(key)} has no image ${where}`);
        } else withImages.push(s);
      }
      for (const [key, files] of listing.byKey) {
        // A file whose key matches no record cannot be told apart from PHI; with a PHI key column its name is not shown.
        if (!used.has(key)) {
          for (const f of files) strays.push({ site: site.id, file: f, item: keyIsPhi ? `${dirname(f)}/(file of an unknown key)` : f, reason: `image with join key ${keyIsPhi ? '(hidden: PHI key column)' : key} matches no record of site '${site.id}'` });
        }
      }
    } catch (e) {
      q(site.images.folder ?? site.images.glob ?? site.images.dicomweb?.url ?? '(images)', (e as Error).message);
      withImages = site.images.required ? [] : subjects;
    }
  }

  const missingColumns = schema.map((c) => c.name).filter((name) => withImages.every((s) => s.record[name] === null));
  const tablesRead = tables.map((t) => ({ source: t.source, ...(t.delimiter !== undefined && { delimiter: t.delimiter }) }));
  return { site, subjects: withImages, quarantine, strays, excluded, problems, sourceFiles, tables: tablesRead, missingColumns, recordedUnits };
}

/**
 * Every source column the site's manifest names explicitly that no header of its tables holds, with
 * the nearest header names: a typo here would otherwise read as an absent column or an empty site.
 */
function namedColumnProblems(site: ManifestSite, headers: readonly string[]): string[] {
  const named: [key: string, column: string | undefined][] = [
    ['subjectId.column', site.subjectId.column],
    ['subjectId.link', site.subjectId.link],
    ['label.column', site.label.column],
    ['images.key', site.images?.key],
    ['text.column', site.text?.column],
    ...Object.entries(site.columns).map(([name, m]): [string, string | undefined] => [`columns.${name}.from`, m.from]),
  ];
  const have = new Set(headers);
  const columnProblems = named
    .filter((x): x is [string, string] => x[1] !== undefined && !have.has(x[1]))
    .map(([key, column]) => `site '${site.id}' (${site.declaredIn}): ${key}: no table of the site has a column '${column}'; ${describeNearest(column, headers)}`);
  // A misspelt column inside a row expression would otherwise evaluate to empty on every row and quarantine or exclude them all.
  const expressions: [key: string, expression: string | undefined][] = [
    ['label.expression', site.label.expression],
    ['include', site.include],
    ['exclude', site.exclude],
  ];
  const expressionProblems = expressions.flatMap(([key, expression]) =>
    expression === undefined
      ? []
      : expressionColumns(expression)
          .filter((column) => !have.has(column))
          .map((column) => `site '${site.id}' (${site.declaredIn}): ${key}: '${expression}' reads a column '${column}' that no table of the site has; ${describeNearest(column, headers)}`),
  );
  return [...columnProblems, ...expressionProblems];
}

/** The site's include/exclude criteria on one row: undefined to keep it, why it is excluded, or an error that quarantines it. */
function applyCriteria(site: ManifestSite, values: Readonly<Record<string, TabularValue>>): { excluded: string } | { error: string } | undefined {
  for (const [key, expr] of [['include', site.include], ['exclude', site.exclude]] as const) {
    if (expr === undefined) continue;
    let r: unknown[];
    try {
      r = fhirpath.evaluate(values as never, expr) as unknown[];
    } catch (e) {
      return { error: `${key} expression '${expr}' failed: ${(e as Error).message.split('\n')[0]}` };
    }
    if (r.length > 1 || (r.length === 1 && typeof r[0] !== 'boolean')) return { error: `${key} expression '${expr}' must give true or false` };
    // An empty result (a column the criterion uses is missing) does not meet an inclusion criterion and does not meet an exclusion one.
    if (key === 'include' && r[0] !== true) return { excluded: `not included: ${expr}${r.length === 0 ? ' (no value)' : ''}` };
    if (key === 'exclude' && r[0] === true) return { excluded: `excluded: ${expr}` };
  }
  return undefined;
}

interface ColumnPlan {
  readonly col: SharedColumn;
  readonly from: string;
  readonly present: boolean;
  readonly unit?: string;
  readonly conversion?: UnitConversion;
  readonly recode?: ReadonlyMap<string, TabularValue>;
  readonly missing: ReadonlySet<string>;
}

function columnPlan(site: ManifestSite, col: SharedColumn, seen: ReadonlySet<string>): ColumnPlan {
  const m = site.columns[col.name] ?? {};
  const from = m.from ?? col.name;
  const unit = m.unit ?? col.unit;
  const conversion = m.unit !== undefined && col.unit !== undefined ? findColumnConversion(m.unit, col.unit, col.analyte) : undefined;
  return {
    col,
    from,
    present: seen.has(from),
    unit,
    conversion,
    recode: m.recode ? new Map(Object.entries(m.recode).map(([k, v]) => [valueKey(k), v])) : undefined,
    missing: new Set((m.missing ?? []).map((x) => valueKey(x))),
  };
}

function mapValue(p: ColumnPlan, values: Readonly<Record<string, TabularValue>>): TabularValue | { error: string } {
  if (!p.present) return null;
  const raw = values[p.from];
  if (raw === null || raw === undefined) return null;
  const key = valueKey(raw);
  if (key === '' || p.missing.has(key)) return null;
  let v: TabularValue = raw;
  if (p.recode) {
    if (p.recode.has(key)) v = p.recode.get(key) as TabularValue;
    else if (p.col.kind !== 'numeric') return { error: `column '${p.from}' has value '${key}', which the recode for '${p.col.name}' does not list (${[...p.recode.keys()].join(', ')})` };
    if (v === null) return null;
  }
  if (p.col.kind === 'categorical') {
    const c = valueKey(v);
    if (p.col.categories && !p.col.categories.includes(c)) return { error: `column '${p.from}': '${c}' is not a category of '${p.col.name}' (${p.col.categories.join(', ')})` };
    return c;
  }
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n)) return { error: `column '${p.from}' must be numeric for '${p.col.name}' but holds text` };
  if (p.col.kind === 'binary') {
    if (n !== 0 && n !== 1) return { error: `column '${p.from}' must be 0 or 1 for binary '${p.col.name}', got ${n}` };
    return n;
  }
  return p.conversion ? applyConversion(n, p.conversion) : n;
}

function applyLabel(spec: LabelSpec, values: Readonly<Record<string, TabularValue>>): { label: BinaryLabel; source?: string } | { error: string } {
  if (spec.expression !== undefined) {
    let r: unknown[];
    try {
      r = fhirpath.evaluate(values as never, spec.expression) as unknown[];
    } catch (e) {
      return { error: `label expression '${spec.expression}' failed: ${(e as Error).message.split('\n')[0]}` };
    }
    if (r.length === 0) return { error: `label expression '${spec.expression}' gives no value (a column it uses is missing)` };
    if (r.length !== 1 || typeof r[0] !== 'boolean') return { error: `label expression '${spec.expression}' must give true or false` };
    return { label: r[0] ? 1 : 0 };
  }
  const column = spec.column as string;
  const raw = values[column];
  if (raw === undefined) return { error: `label column '${column}' is not in the table` };
  if (raw === null || valueKey(raw) === '') return { error: `label column '${column}' is missing` };
  const key = valueKey(raw);
  const pos = (spec.positive ?? []).map(valueKey);
  if (pos.includes(key)) return { label: 1, source: key };
  if (spec.negative === undefined) return { label: 0, source: key };
  const neg = spec.negative.map(valueKey);
  if (neg.includes(key)) return { label: 0, source: key };
  return { error: `label column '${column}' has unexpected value '${key}' (positive: ${pos.join(', ')}; negative: ${neg.join(', ')})` };
}

/** A subject's note from the text column: the cell as text, or undefined when there is no column or the cell is empty. */
function noteOf(values: Readonly<Record<string, TabularValue>>, column: string | undefined): string | undefined {
  if (column === undefined) return undefined;
  const v = values[column];
  if (v === null || v === undefined) return undefined;
  const note = String(v).trim();
  return note === '' ? undefined : note;
}
