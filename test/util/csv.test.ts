import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCsv, parseCsv } from '../../src/util/csv.js';

test('cells with commas, quotes, newlines and edge spaces round-trip', () => {
  const rows = [
    ['a', 'b', 'c'],
    ['x,y', 'say "hi"', 'two\nlines'],
    [' lead', 'trail ', ''],
    ['', '""', 'cr\r\nlf'],
    ['lone\rcr', 'é', 'ü,ß'],
  ];
  const text = formatCsv(rows);
  assert.ok(text.endsWith('\n') && !text.includes('lf"\r\n'), 'LF record endings');
  const t = parseCsv(text, 'mem.csv');
  assert.deepEqual([t.header, ...t.rows], rows);
  assert.deepEqual(t.lines, [2, 4, 5, 7], 'line numbers account for newlines inside quoted cells');
});

test('CRLF line endings, a BOM and blank lines are accepted, and lines still count from the file', () => {
  const t = parseCsv('\ufeffa,b\r\n1,"x\r\ny"\r\n\r\n3,4\r\n', 'crlf.csv');
  assert.deepEqual(t.header, ['a', 'b'], 'the BOM is not part of the first column name');
  assert.deepEqual(t.rows, [['1', 'x\r\ny'], ['3', '4']]);
  assert.deepEqual(t.lines, [2, 5]);
});

test('a ragged row fails naming the file, the line and the cell counts', () => {
  assert.throws(() => parseCsv('a,b\n1,2\n\n1,2,3\n', 'f.csv'), /^Error: f\.csv: line 4: 3 cells, expected 2/);
  assert.throws(() => parseCsv('a,b\r\n"p\r\nq",2\r\n3\r\n', 'g.csv'), /^Error: g\.csv: line 4: 1 cells, expected 2/);
});

test('malformed quoting and an empty file fail naming the file and line', () => {
  assert.throws(() => parseCsv('a,b\n1,"open\n', 'f.csv'), /f\.csv: line 2: Quote Not Closed/);
  assert.throws(() => parseCsv('a,b\n"x"y,2\n', 'f.csv'), /f\.csv: line 2: Invalid Closing Quote/);
  assert.throws(() => parseCsv('a,b\nx"y,2\n', 'f.csv'), /f\.csv: line 2: Invalid Opening Quote/);
  assert.throws(() => parseCsv('', 'f.csv'), /f\.csv: empty file/);
});
