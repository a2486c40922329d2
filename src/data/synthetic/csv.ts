/** A parsed CSV file: the header and the data rows, each row as many cells as the header. */
export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** 1-based line in the file where each data row starts, for error messages. */
  readonly lines: readonly number[];
}

/** Quotes a cell when it holds a comma, quote, CR or LF, or leading/trailing space (RFC 4180 style). */
export function formatCsvCell(cell: string): string {
  return /[",\r\n]|^\s|\s$/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** Formats rows as CSV text with LF line endings and a final newline. */
export function formatCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(formatCsvCell).join(',')).join('\n') + '\n';
}

/**
 * Parses CSV text (RFC 4180: quoted cells may hold commas, doubled quotes and newlines; CRLF or LF;
 * a UTF-8 BOM is ignored). Every row must have as many cells as the header; errors name the file and line.
 */
export function parseCsv(text: string, source: string): CsvTable {
  const rows: string[][] = [];
  const rowLines: number[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let row: string[] = [];
  let cell = '';
  let rowStart = 1;
  let atRowStart = true;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (atRowStart) {
      rowStart = line;
      atRowStart = false;
    }
    if (ch === '"' && cell === '') {
      // Quoted cell: read to the closing quote; "" inside is a literal quote.
      const quoteLine = line;
      i++;
      for (;;) {
        if (i >= n) throw new Error(`${source}: line ${quoteLine}: unterminated quoted cell`);
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        cell += c;
        i++;
      }
      const next = text[i];
      if (i < n && next !== ',' && next !== '\n' && next !== '\r') {
        throw new Error(`${source}: line ${line}: unexpected character ${JSON.stringify(next)} after a closing quote`);
      }
      continue;
    }
    if (ch === ',') {
      row.push(cell);
      cell = '';
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      row.push(cell);
      rows.push(row);
      rowLines.push(rowStart);
      row = [];
      cell = '';
      atRowStart = true;
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      continue;
    }
    if (ch === '"') throw new Error(`${source}: line ${line}: quote inside an unquoted cell`);
    cell += ch;
    i++;
  }
  if (!atRowStart) {
    row.push(cell);
    rows.push(row);
    rowLines.push(rowStart);
  }
  if (rows.length === 0) throw new Error(`${source}: empty file (no header row)`);
  const header = rows[0];
  const data: string[][] = [];
  const lines: number[] = [];
  for (let r = 1; r < rows.length; r++) {
    // A blank line (e.g. a trailing one) is not a row of a multi-column table.
    if (header.length > 1 && rows[r].length === 1 && rows[r][0] === '') continue;
    if (rows[r].length !== header.length) {
      throw new Error(`${source}: line ${rowLines[r]}: ${rows[r].length} cells, expected ${header.length} (as in the header)`);
    }
    data.push(rows[r]);
    lines.push(rowLines[r]);
  }
  return { header, rows: data, lines };
}
