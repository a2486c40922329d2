import type { TabularValue } from '../types.js';

/** One data row of a source table, with where it came from. */
export interface SourceRow {
  /** 1-based line in the file (CSV/TSV), row number (Parquet) or NDJSON line of the Patient; null when unknown. */
  readonly line: number | null;
  /** Human-readable location for messages, e.g. `line 12` or `Patient/p7`. */
  readonly where: string;
  readonly values: Readonly<Record<string, TabularValue>>;
}

/** A row or item a reader could not read, with the reason (never the row's content, which may hold PHI). */
export interface RejectedRow {
  readonly file: string;
  readonly where: string;
  readonly reason: string;
}

/** A table as read: its columns, good rows in file order, and rejected rows. */
export interface TableData {
  /** The file or folder read. */
  readonly source: string;
  /** Every file the table was read from (for provenance hashes). */
  readonly files: readonly string[];
  readonly columns: readonly string[];
  readonly rows: readonly SourceRow[];
  readonly rejected: readonly RejectedRow[];
  /** How a delimited file's cells were split (absent for Parquet and FHIR). */
  readonly delimiter?: DelimiterUsed;
}

/** The delimiter a CSV/TSV file was read with, and whether the manifest gave it or it was detected. */
export interface DelimiterUsed {
  readonly char: string;
  /** declared: the table's `delimiter` key; format: `\t` for a TSV; detected: sniffed from the file (one of `,` `;` tab `|`). */
  readonly how: 'declared' | 'format' | 'detected';
}

/** A delimiter shown in messages and reports: a tab as `tab`, others quoted. */
export function describeDelimiter(d: DelimiterUsed): string {
  return `${d.char === '\t' ? 'tab' : `'${d.char}'`} (${d.how})`;
}

/** A table that cannot be read at all (missing file, unreadable format); the message names the file. */
export class TableReadError extends Error {
  override readonly name = 'TableReadError';
}
