import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCsv, parseCsv } from '../../../src/data/synthetic/csv.js';

test('cells with commas, quotes, newlines and edge spaces round-trip', () => {
  const rows = [
    ['a', 'b', 'c'],
    ['x,y', 'say "hi"', 'two\nlines'],
    [' lead', 'trail ', ''],
    ['', '""', 'cr\r\nlf'],
  ];
  const text = formatCsv(rows);
  const t = parseCsv(text, 'mem.csv');
  assert.deepEqual([t.header, ...t.rows], rows);
  assert.deepEqual(t.lines, [2, 4, 5], 'line numbers account for newlines inside quoted cells');
});

test('CRLF line endings, a BOM and a trailing blank line are accepted', () => {
  const t = parseCsv('\ufeffa,b\r\n1,2\r\n\r\n', 'crlf.csv');
  assert.deepEqual(t.header, ['a', 'b']);
  assert.deepEqual(t.rows, [['1', '2']]);
});

test('malformed CSV fails naming the file and line', () => {
  assert.throws(() => parseCsv('a,b\n1,"open\n', 'f.csv'), /f\.csv: line 2: unterminated quoted cell/);
  assert.throws(() => parseCsv('a,b\n1,2,3\n', 'f.csv'), /f\.csv: line 2: 3 cells, expected 2/);
  assert.throws(() => parseCsv('a,b\n"x"y,2\n', 'f.csv'), /f\.csv: line 2: unexpected character "y" after a closing quote/);
  assert.throws(() => parseCsv('a,b\nx"y,2\n', 'f.csv'), /f\.csv: line 2: quote inside an unquoted cell/);
  assert.throws(() => parseCsv('', 'f.csv'), /f\.csv: empty file/);
});
