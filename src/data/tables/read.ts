import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { TableSource } from '../manifest/schema.js';
import type { TabularValue } from '../types.js';
import { TableReadError, type DelimiterUsed, type RejectedRow, type SourceRow, type TableData } from './types.js';

/** Missing-value markers used when a table declares none. */
export const DEFAULT_MISSING: readonly string[] = ['', 'NA', '?'];

/** Delimiters a CSV file without a declared one may be detected to use. */
export const DETECTED_DELIMITERS: readonly string[] = [',', ';', '\t', '|'];

/** Options of a delimited or Parquet file read. */
export type FileTableOptions = Omit<TableSource, 'fhir' | 'path'> & {
  readonly path: string;
  /** Columns read as text whatever they look like (identifiers), where the file has them and no type is declared. */
  readonly textColumns?: readonly string[];
};

/** The table format from the declared one or the file extension. */
export function tableFormat(t: { path: string; format?: 'csv' | 'tsv' | 'parquet' }): 'csv' | 'tsv' | 'parquet' {
  if (t.format) return t.format;
  const ext = extname(t.path).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.tsv' || ext === '.tab') return 'tsv';
  return 'csv';
}

/**
 * Reads a CSV, TSV or Parquet file through DuckDB (read_csv / read_parquet) with the declared or an
 * inferred schema; a CSV without a declared delimiter has it detected (`,` `;` tab `|`). Rows DuckDB rejects (ragged rows, values that do not fit a declared type) come back
 * in `rejected` with their line; the other rows are read.
 */
export async function readTableFile(t: FileTableOptions): Promise<TableData> {
  const file = t.path;
  try {
    if (!(await stat(file)).isFile()) throw new TableReadError(`${file}: not a file`);
  } catch (e) {
    if (e instanceof TableReadError) throw e;
    throw new TableReadError(`${file}: cannot read the table (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const format = tableFormat(t);
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    return format === 'parquet' ? await readParquet(con, t) : await readDelimited(con, t, format);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function sqlList(xs: readonly string[]): string {
  return `[${xs.map(sqlString).join(', ')}]`;
}

async function readParquet(con: DuckDBConnection, t: FileTableOptions): Promise<TableData> {
  let rows: Record<string, unknown>[];
  let columns: string[];
  try {
    const r = await con.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(t.path)})`);
    rows = r.getRowObjectsJS() as Record<string, unknown>[];
    columns = r.columnNames();
  } catch (e) {
    throw new TableReadError(`${t.path}: cannot read as Parquet: ${firstLine(e)}`);
  }
  const missing = new Set((t.missing ?? []).map(String));
  const names = t.names;
  if (names && names.length !== columns.length) throw new TableReadError(`${t.path}: names lists ${names.length} columns, the file has ${columns.length}`);
  const out: SourceRow[] = rows.map((raw, i) => {
    const values: Record<string, TabularValue> = {};
    columns.forEach((c, k) => {
      const v = toValue(raw[c]);
      values[names ? names[k] : c] = v !== null && missing.has(String(v)) ? null : v;
    });
    return { line: i + 1, where: `row ${i + 1}`, values };
  });
  return { source: t.path, files: [t.path], columns: names ?? columns, rows: out, rejected: [] };
}

async function textTypes(con: DuckDBConnection, t: FileTableOptions, opts: readonly string[]): Promise<Record<string, string>> {
  const wanted = (t.textColumns ?? []).filter((c) => !t.types?.[c]);
  if (wanted.length === 0) return {};
  let present: string[];
  try {
    present = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_csv(${sqlString(t.path)}, ${opts.join(', ')})`)).getRowObjectsJS().map((r) => String(r.column_name));
  } catch {
    // The real read below reports what is wrong with the file.
    return {};
  }
  return Object.fromEntries(wanted.filter((c) => present.includes(c)).map((c) => [c, 'VARCHAR']));
}

/**
 * The declared delimiter; else tab for a TSV; else the one DuckDB's sniffer finds among
 * DETECTED_DELIMITERS (a comma when it finds none of them, e.g. in a one-column file).
 */
async function chooseDelimiter(con: DuckDBConnection, t: FileTableOptions, format: 'csv' | 'tsv', missing: readonly string[]): Promise<DelimiterUsed> {
  if (t.delimiter !== undefined) return { char: t.delimiter, how: 'declared' };
  if (format === 'tsv') return { char: '\t', how: 'format' };
  let found = ',';
  try {
    // ignore_errors: without it one ragged row makes the sniffer fall back to reading one column.
    const r = await con.runAndReadAll(`SELECT Delimiter FROM sniff_csv(${sqlString(t.path)}, header=${t.header ? 'true' : 'false'}, nullstr=${sqlList(missing)}, ignore_errors=true)`);
    found = String(r.getRowObjectsJS()[0]?.Delimiter ?? ',');
  } catch {
    // The real read below reports what is wrong with the file.
  }
  return { char: DETECTED_DELIMITERS.includes(found) ? found : ',', how: 'detected' };
}

async function readDelimited(con: DuckDBConnection, t: FileTableOptions, format: 'csv' | 'tsv'): Promise<TableData> {
  const missing = (t.missing ?? DEFAULT_MISSING).map(String);
  const delimiter = await chooseDelimiter(con, t, format, missing);
  const opts = [
    `delim=${sqlString(delimiter.char)}`,
    `header=${t.header ? 'true' : 'false'}`,
    `nullstr=${sqlList(missing)}`,
    `store_rejects=true`,
    `rejects_table='medtl_rejects'`,
    `rejects_scan='medtl_scans'`,
    // No BOOLEAN or date guessing: yes/no and t/f stay text, so label and recode values match as written.
    `auto_type_candidates=['BIGINT', 'DOUBLE', 'VARCHAR']`,
  ];
  if (t.names) opts.push(`names=${sqlList(t.names)}`);
  const types = { ...(await textTypes(con, t, opts)), ...t.types };
  if (Object.keys(types).length > 0) opts.push(`types={${Object.entries(types).map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`).join(', ')}}`);
  let rows: Record<string, unknown>[];
  let columns: string[];
  let rejects: Record<string, unknown>[];
  try {
    const r = await con.runAndReadAll(`SELECT * FROM read_csv(${sqlString(t.path)}, ${opts.join(', ')})`);
    rows = r.getRowObjectsJS() as Record<string, unknown>[];
    columns = r.columnNames();
    rejects = (await con.runAndReadAll('SELECT line, column_name, error_type, error_message FROM medtl_rejects ORDER BY line')).getRowObjectsJS() as Record<string, unknown>[];
  } catch (e) {
    throw new TableReadError(`${t.path}: cannot read as ${format.toUpperCase()}: ${firstLine(e)}`);
  }
  if (t.types) {
    for (const k of Object.keys(t.types)) if (!columns.includes(k)) throw new TableReadError(`${t.path}: types names column '${k}', which the file does not have (columns: ${columns.join(', ')})`);
  }
  const rejected: RejectedRow[] = [];
  const badLines = new Set<number>();
  for (const r of rejects) {
    const line = Number(r.line);
    // One line can fail in several columns; it is one rejected row.
    if (badLines.has(line)) continue;
    badLines.add(line);
    rejected.push({ file: t.path, where: `line ${line}`, reason: rejectReason(r) });
  }
  const lines = await dataLines(t.path, t.header, badLines);
  const numbered = lines !== null && lines.length === rows.length;
  const out: SourceRow[] = rows.map((raw, i) => {
    const values: Record<string, TabularValue> = {};
    for (const c of columns) values[c] = toValue(raw[c]);
    const line = numbered ? lines[i] : null;
    return { line, where: line === null ? `data row ${i + 1}` : `line ${line}`, values };
  });
  return { source: t.path, files: [t.path], columns, rows: out, rejected, delimiter };
}

/** Why DuckDB rejected a line, without the line's content (it may hold PHI). */
function rejectReason(r: Record<string, unknown>): string {
  const type = String(r.error_type);
  const column = r.column_name === null || r.column_name === undefined ? '' : ` (column '${String(r.column_name)}')`;
  if (type === 'MISSING COLUMNS' || type === 'TOO MANY COLUMNS') return `ragged row: ${String(r.error_message).toLowerCase()}`;
  if (type === 'CAST') return `a value does not fit the column type${column}`;
  return `${type.toLowerCase()}${column}`;
}

/**
 * 1-based line numbers of the data rows DuckDB returned: non-blank lines after the header, less the
 * rejected ones. Null when quoting makes lines and rows differ (then rows are numbered by position).
 */
async function dataLines(file: string, header: boolean, rejected: ReadonlySet<number>): Promise<number[] | null> {
  const text = await readFile(file, 'utf8');
  if (text.includes('"')) return null;
  const out: number[] = [];
  let seenHeader = !header;
  text.split(/\r?\n/).forEach((l, i) => {
    if (l.trim() === '') return;
    if (!seenHeader) {
      seenHeader = true;
      return;
    }
    if (!rejected.has(i + 1)) out.push(i + 1);
  });
  return out;
}

function toValue(v: unknown): TabularValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
