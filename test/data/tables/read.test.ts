import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readTableFile, tableFormat } from '../../../src/data/tables/read.js';
import { TableReadError } from '../../../src/data/tables/types.js';

const DIR = 'test/fixtures/tables';

test('CSV with a header: inferred types, default missing markers, line numbers', async () => {
  const t = await readTableFile({ path: `${DIR}/site-a.csv`, header: true });
  assert.deepEqual(t.columns, ['pid', 'age', 'creat_mgdl', 'smoker', 'dx']);
  assert.deepEqual(t.rejected, []);
  assert.deepEqual(
    t.rows.map((r) => [r.where, r.values]),
    [
      ['line 2', { pid: 'A1', age: 54, creat_mgdl: 1.1, smoker: 'yes', dx: 1 }],
      ['line 3', { pid: 'A2', age: null, creat_mgdl: 0.9, smoker: 'no', dx: 0 }],
      ['line 4', { pid: 'A3', age: 61, creat_mgdl: null, smoker: null, dx: 1 }],
      ['line 5', { pid: 'A4', age: 47, creat_mgdl: 1.3, smoker: 'no', dx: 0 }],
    ],
  );
});

test('TSV with declared missing markers and an explicit schema', async () => {
  const t = await readTableFile({ path: `${DIR}/site-b.tsv`, header: true, missing: ['-'], types: { weight_lb: 'DOUBLE', grade: 'VARCHAR' } });
  assert.equal(tableFormat({ path: 'x.tsv' }), 'tsv');
  assert.deepEqual(t.rows.map((r) => r.values.weight_lb), [154, 200.5, null]);
  assert.deepEqual(t.rows.map((r) => r.values.outcome), ['pos', 'neg', 'pos']);
  // Declaring a type the values do not fit rejects the rows, naming the line and column.
  const bad = await readTableFile({ path: `${DIR}/site-b.tsv`, header: true, types: { grade: 'INTEGER' } });
  assert.deepEqual(bad.rows.length, 0);
  assert.deepEqual(bad.rejected.map((r) => r.where), ['line 2', 'line 3', 'line 4']);
  assert.match(bad.rejected[0].reason, /does not fit the column type \(column 'grade'\)/);
});

test('headerless file with names', async () => {
  const t = await readTableFile({ path: `${DIR}/site-a.csv`, header: false, names: ['a', 'b', 'c', 'd', 'e'], types: { b: 'VARCHAR' } });
  assert.equal(t.rows.length, 5);
  assert.deepEqual(t.rows[0].values, { a: 'pid', b: 'age', c: 'creat_mgdl', d: 'smoker', e: 'dx' });
  assert.equal(t.rows[0].where, 'line 1');
});

test('a ragged CSV row is rejected with the file and line; the other rows are read', async () => {
  const t = await readTableFile({ path: `${DIR}/ragged.csv`, header: true });
  assert.deepEqual(t.rows.map((r) => [r.where, r.values.pid]), [
    ['line 2', 'R1'],
    ['line 4', 'R3'],
    ['line 6', 'R5'],
  ]);
  assert.deepEqual(
    t.rejected.map((r) => [r.file, r.where]),
    [
      [`${DIR}/ragged.csv`, 'line 3'],
      [`${DIR}/ragged.csv`, 'line 5'],
    ],
  );
  assert.match(t.rejected[0].reason, /ragged row: expected number of columns: 5 found: 3/);
  assert.match(t.rejected[1].reason, /ragged row: expected number of columns: 5 found: 6/);
  assert.ok(!t.rejected.some((r) => r.reason.includes('R2')), 'the reason does not quote the row');
});

test('Parquet via read_parquet, with missing markers applied', async () => {
  const t = await readTableFile({ path: `${DIR}/labs.parquet`, header: true, missing: ['F'] });
  assert.equal(tableFormat({ path: 'x.parquet' }), 'parquet');
  assert.deepEqual(t.columns, ['pid', 'weight_kg', 'sex', 'dx']);
  assert.deepEqual(t.rows.map((r) => [r.where, r.values]), [
    ['row 1', { pid: 'P1', weight_kg: 70.5, sex: 'M', dx: 1 }],
    ['row 2', { pid: 'P2', weight_kg: null, sex: null, dx: 0 }],
    ['row 3', { pid: 'P3', weight_kg: 82, sex: null, dx: 1 }],
  ]);
});

test('a missing file or a type for an unknown column is an error naming the file', async () => {
  await assert.rejects(readTableFile({ path: `${DIR}/nope.csv`, header: true }), (e: Error) => e instanceof TableReadError && /nope\.csv: cannot read the table \(ENOENT\)/.test(e.message));
  await assert.rejects(readTableFile({ path: `${DIR}/site-a.csv`, header: true, types: { agee: 'DOUBLE' } }), /site-a\.csv: /);
});

test('identifier columns stay text: leading zeros survive and absent columns are ignored', async () => {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(`${tmpdir()}/medtl-ids-`);
  // Identifiers that look like decimals would be inferred as DOUBLE and reformatted (1.50 -> 1.5).
  await writeFile(`${dir}/ids.csv`, 'mrn,age\n1.50,61\n7,55\n');
  const inferred = await readTableFile({ path: `${dir}/ids.csv`, header: true });
  assert.deepEqual(inferred.rows.map((r) => r.values.mrn), [1.5, 7]);
  const asText = await readTableFile({ path: `${dir}/ids.csv`, header: true, textColumns: ['mrn', 'not_there'] });
  assert.deepEqual(asText.rows.map((r) => r.values.mrn), ['1.50', '7']);
  assert.deepEqual(asText.rows.map((r) => r.values.age), [61, 55]);
});

test('a CSV without a declared delimiter has it detected among , ; tab |, and the read says which', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-delim-'));
  for (const [name, d] of [['semi', ';'], ['tab', '\t'], ['pipe', '|'], ['comma', ',']] as const) {
    const path = join(dir, `${name}.csv`);
    // Commas inside the values of the non-comma files: a comma-only reader would split them wrongly.
    const note = d === ',' ? 'plain' : 'a, b';
    await writeFile(path, [['pid', 'age', 'note'], ['P1', '54', note], ['P2', '61', 'x'], ['P3', '47', 'y']].map((r) => r.join(d)).join('\n') + '\n');
    const t = await readTableFile({ path, header: true });
    assert.deepEqual(t.delimiter, { char: d, how: 'detected' }, name);
    assert.deepEqual(t.columns, ['pid', 'age', 'note'], name);
    assert.deepEqual(t.rows.map((r) => r.values), [{ pid: 'P1', age: 54, note }, { pid: 'P2', age: 61, note: 'x' }, { pid: 'P3', age: 47, note: 'y' }], name);
  }
  const declared = await readTableFile({ path: join(dir, 'semi.csv'), header: true, delimiter: ',' });
  assert.deepEqual(declared.delimiter, { char: ',', how: 'declared' });
  assert.deepEqual(declared.columns, ['pid;age;note'], 'a declared delimiter is used as given');
  const tsv = await readTableFile({ path: `${DIR}/site-b.tsv`, header: true });
  assert.deepEqual(tsv.delimiter, { char: '\t', how: 'format' });
});
