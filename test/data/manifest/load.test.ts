import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadManifest, ManifestError } from '../../../src/data/manifest/index.js';
import { findColumnConversion } from '../../../src/data/manifest/units.js';

const SCHEMA = `schema:
  - { name: age, kind: numeric, unit: years }
  - { name: creat, kind: numeric, unit: umol/L, analyte: creatinine }
  - { name: grade, kind: categorical, categories: [low, high] }
`;
const SITE = `  - id: a
    tables: [{ path: a.csv }]
    subjectId: { column: mrn }
    label: { column: dx, positive: [yes], negative: [no] }
`;

async function write(text: string, name = 'm.yaml'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-manifest-'));
  await writeFile(join(dir, name), text);
  return join(dir, name);
}

async function problems(text: string): Promise<string> {
  const file = await write(text);
  try {
    await loadManifest(file);
  } catch (e) {
    assert.ok(e instanceof ManifestError, String(e));
    assert.ok(e.message.includes(file), 'the message names the file');
    return e.message;
  }
  assert.fail('expected a ManifestError');
}

test('a valid manifest resolves data paths against root and fills defaults', async () => {
  const file = await write(`name: t\nroot: data\n${SCHEMA}sites:\n${SITE}`);
  const m = await loadManifest(file);
  assert.equal(m.name, 't');
  assert.equal(m.root, join(file, '..', 'data'));
  assert.equal(m.sites[0].tables[0].path, join(file, '..', 'data', 'a.csv'));
  assert.equal(m.sites[0].tables[0].header, true);
  assert.deepEqual(m.sites[0].phi, {});
});

test('a wrong key is named with its path, the file and the allowed keys', async () => {
  assert.match(await problems(`${SCHEMA}sitez: []\nsites:\n${SITE}`), /unknown key 'sitez'; allowed keys: name, root, schema, defaults, sites/);
  assert.match(
    await problems(`${SCHEMA}sites:\n${SITE}    colums: {}\n`),
    /unknown key 'colums' in sites\.0; allowed keys: id, description, images, text, tables, subjectId, label, columns, phi/,
  );
  assert.match(
    await problems(`${SCHEMA}sites:\n${SITE}    columns: { age: { form: years } }\n`),
    /unknown key 'form' in sites\.0\.columns\.age; allowed keys: from, unit, recode, missing/,
  );
  assert.match(await problems(`${SCHEMA}sites:\n  - id: a\n    tables: [{ path: a.csv, hedaer: false }]\n    subjectId: { row: true }\n    label: { expression: 'x > 1' }\n`), /unknown key 'hedaer' in sites\.0\.tables\.0; allowed keys: path, fhir, format, header/);
});

test('a per-site file is validated on its own and named in the error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-manifest-'));
  await writeFile(join(dir, 'site-b.yaml'), 'id: b\ntables: [{ path: b.csv }]\nsubjectId: { column: id }\nlabel: { column: y, positive: [1] }\nphi: { id: shred }\n');
  await writeFile(join(dir, 'm.yaml'), `${SCHEMA}sites:\n${SITE}  - site-b.yaml\n`);
  await assert.rejects(loadManifest(join(dir, 'm.yaml')), (e: Error) => {
    assert.match(e.message, /site-b\.yaml:\n {2}- phi\.id: .*expected one of "drop"\|"pseudonymise"/);
    return true;
  });
  await writeFile(join(dir, 'site-b.yaml'), 'id: b\ntables: [{ path: b.csv }]\nsubjectId: { column: id }\nlabel: { column: y, positive: [1] }\n');
  const m = await loadManifest(join(dir, 'm.yaml'));
  assert.deepEqual(m.sites.map((s) => [s.id, s.declaredIn]), [
    ['a', join(dir, 'm.yaml')],
    ['b', join(dir, 'site-b.yaml')],
  ]);
});

test('semantic checks: unknown shared column, unknown unit pair, PHI used as a feature, duplicate site', async () => {
  assert.match(await problems(`${SCHEMA}sites:\n${SITE}    columns: { weight: { unit: lb } }\n`), /sites\.0\.columns\.weight: 'weight' is not a column of the shared schema/);
  assert.match(await problems(`${SCHEMA}sites:\n${SITE}    columns: { age: { unit: furlongs } }\n`), /sites\.0\.columns\.age\.unit: no known conversion from 'furlongs' to 'years'/);
  assert.match(await problems(`${SCHEMA}sites:\n${SITE}    columns: { creat: { unit: mmHg } }\n`), /no known conversion from 'mmHg' to 'umol\/L' for analyte 'creatinine'/);
  assert.match(await problems(`${SCHEMA}sites:\n${SITE}    phi: { age: drop }\n`), /sites\.0\.phi\.age: the PHI column 'age' is also the source of shared column 'age'/);
  assert.match(await problems(`${SCHEMA}sites:\n${SITE}${SITE}`), /site id 'a' is declared twice/);
  assert.match(await problems(`${SCHEMA}sites:\n  - id: a\n    tables: [{ path: a.csv, header: false }]\n    subjectId: { row: true }\n    label: { column: y }\n`), /tables\.0\.names: a table with header: false needs names[\s\S]*label\.positive: a label column needs positive/);
});

test('root expands ${VAR:-default}; an unset variable without default is an error', async () => {
  const file = await write(`root: \${MEDTL_TEST_ROOT:-fallback}\n${SCHEMA}sites:\n${SITE}`);
  assert.equal((await loadManifest(file, { env: {} })).root, join(file, '..', 'fallback'));
  assert.equal((await loadManifest(file, { env: { MEDTL_TEST_ROOT: '/data/x' } })).root, '/data/x');
  assert.equal((await loadManifest(file, { root: '/override', env: { MEDTL_TEST_ROOT: '/data/x' } })).root, '/override');
  const bad = await write(`root: \${MEDTL_TEST_ROOT}\n${SCHEMA}sites:\n${SITE}`);
  await assert.rejects(loadManifest(bad, { env: {} }), /environment variable MEDTL_TEST_ROOT is not set/);
});

test('unit conversions: generic table, analyte molar masses, identity, unknown pairs', () => {
  // 1 mg/dL creatinine = 10 mg/L / 113.12 g/mol = 88.4016 µmol/L (the clinical factor is 88.4).
  assert.ok(Math.abs((findColumnConversion('mg/dL', 'µmol/L', 'creatinine')?.factor ?? 0) - 88.4016) < 1e-4);
  // 200 mg/dL cholesterol ≈ 5.17 mmol/L (factor 0.02586).
  assert.ok(Math.abs(200 * (findColumnConversion('mg/dL', 'mmol/L', 'cholesterol')?.factor ?? 0) - 5.1726) < 1e-3);
  assert.ok(Math.abs((findColumnConversion('mmol/L', 'mg/dL', 'glucose')?.factor ?? 0) - 18.016) < 1e-3);
  assert.equal(findColumnConversion('cm', 'mm')?.factor, 10);
  assert.equal(findColumnConversion('lb', 'kg')?.factor, 0.45359237);
  assert.deepEqual(findColumnConversion('mmHg', 'mmHg'), { factor: 1, offset: 0 });
  assert.equal(findColumnConversion('mg/dL', 'mmol/L'), undefined, 'no analyte, no molar conversion');
  assert.equal(findColumnConversion('mg/dL', 'mmol/L', 'unobtainium'), undefined);
});

test('unit aliases: IU/L is U/L, and mmol/l, µmol/L and umol/L spell one unit each', () => {
  assert.deepEqual(findColumnConversion('IU/L', 'U/L'), { factor: 1, offset: 0 });
  assert.deepEqual(findColumnConversion('U/L', 'iu/l'), { factor: 1, offset: 0 });
  assert.deepEqual(findColumnConversion('mmol/l', 'mmol/L'), { factor: 1, offset: 0 });
  assert.deepEqual(findColumnConversion('µmol/L', 'umol/L'), { factor: 1, offset: 0 });
  assert.deepEqual(findColumnConversion('micromol/L', 'µmol/l'), { factor: 1, offset: 0 });
  assert.equal(findColumnConversion('U/L', 'mmol/L'), undefined, 'an activity is not a concentration');
});
