import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { Catalog } from '../../../src/data/catalog/catalog.js';
import { ingestManifest } from '../../../src/data/ingest/index.js';
import { DEID_KEY_ENV } from '../../../src/data/deid/table.js';

const MANIFEST = 'test/fixtures/ingest/phi/manifest.yaml';
const KEY = 'phi-test-key-7f3a9c1e5b2d8046';

/** Every PHI value in test/fixtures/ingest/phi (patients.csv and the S002.dcm header), and the key. */
const SECRETS = [
  'MRN-448812',
  'MRN-557301',
  'MRN-660942',
  '448812',
  'Aurelia',
  'Vantongeren',
  'Bartholomew',
  'Quillfeather',
  'Cordelia',
  'Nakashima',
  '1961-04-02',
  '19610402',
  '1948-09-17',
  '1975-12-01',
  'Elmsworth',
  'Harrowgate',
  'Thistlewood',
  'Okonkwo',
  'Brandvold',
  'ACC-448812',
  'MRN-771204',
  'MRN-882315',
  'MRN-993426',
  '771204',
  '993426',
  'Desmond',
  'Lindqvist',
  'Ottilie',
  'Brackenridge',
  '1952-03-08',
  '1980-07-22',
  KEY,
];

/**
 * The fixture folder copied, plus a second site whose PNG images are named by MRN (a PHI join key),
 * including one image of an MRN that has no record.
 */
async function phiData(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-phi-data-'));
  await cp('test/fixtures/ingest/phi', dir, { recursive: true });
  await mkdir(join(dir, 'png'));
  for (const mrn of ['MRN-771204', 'MRN-882315', 'MRN-993426']) {
    await sharp({ create: { width: 4, height: 4, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toFile(join(dir, 'png', `${mrn}.png`));
  }
  const manifest = await readFile(join(dir, 'manifest.yaml'), 'utf8');
  await writeFile(
    join(dir, 'manifest.yaml'),
    `${manifest}  - id: clinic
    tables: [{ path: clinic.csv }]
    subjectId: { column: mrn }
    label: { column: dx, positive: [malignant], negative: [benign] }
    images: { folder: png, pattern: '{key}.png' }
    phi: { mrn: pseudonymise, full_name: drop, birth_date: drop }
`,
  );
  return join(dir, 'manifest.yaml');
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

test('no PHI value or key byte string appears in any file written under the workspace', async () => {
  const ws = await mkdtemp(join(tmpdir(), 'medtl-phi-'));
  const r = await ingestManifest(await phiData(), { workspace: ws, env: { [DEID_KEY_ENV]: KEY } });
  // The CLI's --report writes the same report into the workspace; include it in the search.
  await writeFile(join(ws, 'ingest-report.json'), JSON.stringify(r.report));
  assert.deepEqual(r.sites.map((s) => [s.siteId, s.subjects, s.quarantined]), [
    ['lowfield', 3, 0],
    ['clinic', 2, 1],
  ]);
  // The image of MRN-993426 has no record: quarantined without its name.
  assert.match(r.report.quarantine[0].item, /png\/\(file of an unknown key\)$/);
  assert.ok(r.cohort.samples.every((s) => /^p-[0-9a-f]{24}$/.test(s.subjectId)), 'subject ids are keyed pseudonyms');
  // 1.1 mg/dL creatinine × 10 / 113.12 g/mol × 1000 = 97.24187… µmol/L; the 1e-3 tolerance covers writing it to 4 decimals.
  const first = r.cohort.samples.find((s) => s.tabular?.age === 59);
  assert.ok(Math.abs((first?.tabular?.creat as number) - 97.2419) < 1e-3);
  assert.deepEqual(Object.keys(first?.tabular ?? {}).sort(), ['age', 'creat', 'grade', 'smoker']);
  // Positive control: the inputs do hold every PHI value, so the search below can find them.
  const inputs = Buffer.concat([
    ...(await Promise.all(['patients.csv', 'clinic.csv', 'S002.dcm'].map((f) => readFile(join('test/fixtures/ingest/phi', f))))),
    Buffer.from('MRN-993426'),
  ]);
  for (const secret of SECRETS.slice(0, -1)) assert.ok(inputs.includes(Buffer.from(secret, 'utf8')), `fixture lacks '${secret}'`);
  const c = await Catalog.open(ws);
  const stored = await c.subjects(['lowfield']);
  c.close();
  // The pseudonymised address is kept (for linking) as a keyed pseudonym, never as a model feature.
  assert.ok(stored.every((s) => /^p-[0-9a-f]{24}$/.test(s.pseudonyms.address ?? '')));
  assert.equal(new Set(stored.map((s) => s.pseudonyms.address)).size, 3);
  const files = await filesUnder(ws);
  assert.ok(files.some((f) => f.endsWith('.dcm')), 'the de-identified DICOM copy is in the workspace');
  assert.equal(files.filter((f) => f.endsWith('.png')).length, 2, 'PNGs named by MRN are copied under the pseudonym');
  assert.ok(files.some((f) => f.endsWith('catalog.duckdb')));
  for (const file of files) {
    const bytes = await readFile(file);
    for (const secret of SECRETS) {
      assert.ok(!bytes.includes(Buffer.from(secret, 'utf8')), `${file} contains '${secret}'`);
      // DICOM and DuckDB may store text padded or in other encodings; UTF-16 catches the obvious one.
      assert.ok(!bytes.includes(Buffer.from(secret, 'utf16le')), `${file} contains '${secret}' as UTF-16`);
    }
  }
});

test('pseudonymising without a key is refused with a clear message and nothing is written', async () => {
  const ws = await mkdtemp(join(tmpdir(), 'medtl-phi-'));
  await assert.rejects(ingestManifest(MANIFEST, { workspace: ws, env: {} }), /asks to pseudonymise PHI columns, but no de-identification key is set: export MEDTL_DEID_KEY=/);
  assert.deepEqual(await readdir(ws), []);
  await assert.rejects(ingestManifest(MANIFEST, { workspace: ws, env: { [DEID_KEY_ENV]: 'short' } }), /the de-identification key has 5 bytes; use at least 16/);
});

test('a key file inside the workspace is refused', async () => {
  const ws = await mkdtemp(join(tmpdir(), 'medtl-phi-'));
  await writeFile(join(ws, 'key.txt'), KEY);
  await assert.rejects(ingestManifest(MANIFEST, { workspace: ws, keyFile: join(ws, 'key.txt'), env: {} }), /key\.txt: the de-identification key file is inside the workspace/);
});
