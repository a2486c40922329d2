// CSV text in and out through csv-parse / csv-stringify, with errors that name the file and line.
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

/** A parsed CSV file: the header and the data rows, each row as many cells as the header. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** 1-based line in the file where each data row starts, for error messages. */
  readonly lines: readonly number[];
}

const LF = 0x0a;
const CR = 0x0d;

/** Counts line breaks (CRLF, LF or a lone CR, each once) in bytes [from, to). */
function lineBreaks(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    if (bytes[i] === LF) n++;
    else if (bytes[i] === CR && bytes[i + 1] !== LF) n++;
  }
  return n;
}

/**
 * Parses CSV text (RFC 4180: quoted cells may hold commas, doubled quotes and newlines; CRLF or LF;
 * a UTF-8 BOM and blank lines are skipped). Every row must have as many cells as the header; errors
 * name the file and line.
 */
export function parseCsv(text: string, source: string): CsvTable {
  // Bytes, not a string: csv-parse reports byte offsets, which then locate each record's first line.
  const bytes = Buffer.from(text, 'utf8');
  let records: string[][];
  const ends: number[] = [];
  try {
    records = parse(bytes, {
      bom: true,
      skip_empty_lines: true,
      // Cell counts are checked below, against line numbers counted here: csv-parse's own line count
      // runs ahead after a CRLF inside a quoted cell.
      relax_column_count: true,
      on_record: (record: string[], context) => {
        ends.push(context.bytes);
        return record;
      },
    });
  } catch (e) {
    if (e instanceof CsvError) {
      const line = typeof e.lines === 'number' ? `line ${e.lines}: ` : '';
      throw new Error(`${source}: ${line}${e.message.replace(/ (at|on) line \d+/, '')}`, { cause: e });
    }
    throw e;
  }
  if (records.length === 0) throw new Error(`${source}: empty file (no header row)`);
  const starts: number[] = [];
  let offset = 0;
  let line = 1;
  for (const end of ends) {
    // Blank lines skipped before a record are part of its byte span; its first line follows them.
    let start = offset;
    while (start < end && (bytes[start] === LF || bytes[start] === CR)) start++;
    line += lineBreaks(bytes, offset, start);
    starts.push(line);
    line += lineBreaks(bytes, start, end);
    offset = end;
  }
  const header = records[0];
  const rows = records.slice(1);
  const lines = starts.slice(1);
  rows.forEach((row, i) => {
    if (row.length !== header.length) {
      throw new Error(`${source}: line ${lines[i]}: ${row.length} cells, expected ${header.length} (as in the header)`);
    }
  });
  return { header, rows, lines };
}

/** Formats rows as CSV text with LF line endings and a final newline; cells are quoted where needed, and also around leading or trailing blanks. */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  return stringify(rows.map((r) => [...r]), { record_delimiter: 'unix', quoted_match: /^\s|\s$/ });
}
