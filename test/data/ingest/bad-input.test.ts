import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { Catalog } from '../../../src/data/catalog/catalog.js';
import { ingestManifest } from '../../../src/data/ingest/index.js';
import { ManifestError } from '../../../src/data/manifest/index.js';
import { withTransferSyntax } from '../readers/helpers.js';

const MANIFEST = `name: bad-inputs
schema:
  - { name: age, kind: numeric, unit: years }
defaults:
  subjectId: { column: id }
  label: { column: dx, positive: [1], negative: [0] }
sites:
  - { id: ragged, tables: [{ path: ragged.csv }] }
  - { id: labels, tables: [{ path: labels.csv }] }
  - id: joins
    tables: [{ path: joins.csv }]
    images: { folder: joins-images, pattern: '{key}.png' }
  - { id: dupa, tables: [{ path: dupa.csv }] }
  - { id: dupb, tables: [{ path: dupb.csv }] }
`;

/** A data folder with one bad item per site, next to good ones. */
async function badData(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-bad-'));
  const files: Record<string, string> = {
    'manifest.yaml': MANIFEST,
    'ragged.csv': 'id,age,dx\nr1,50,0\nr2,51\nr3,52,1\nr4,53,0\n',
    'labels.csv': 'id,age,dx\nl1,40,0\nl2,41,maybe\nl3,42,1\n',
    'joins.csv': 'id,age,dx\nj1,30,0\nj2,31,1\nj3,32,0\nj4,33,1\n',
    'dupa.csv': 'id,age,dx\nx7,60,1\na1,61,0\n',
    'dupb.csv': 'id,age,dx\nb1,70,0\nx7,71,1\n',
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  await mkdir(join(dir, 'joins-images'));
  for (const key of ['j1', 'j2', 'j9']) {
    await sharp({ create: { width: 4, height: 3, channels: 3, background: { r: 10, g: 20, b: 30 } } }).png().toFile(join(dir, 'joins-images', `${key}.png`));
  }
  // j3 has no image; j4's image is not a PNG at all.
  await writeFile(join(dir, 'joins-images', 'j4.png'), 'this is not an image');
  return dir;
}

test('bad rows and files are quarantined with file and row, the rest is ingested, nothing partial is stored', async () => {
  const dir = await badData();
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  const r = await ingestManifest(join(dir, 'manifest.yaml'), { workspace: ws });
  const j4 = r.report.quarantine.find((x) => x.item.endsWith('j4.png'));
  // The reader's own wording (owned by src/data/readers) follows the prefix; only its gist is checked here.
  assert.match(j4?.reason ?? '', /^image of subject j4 cannot be read: .*PNG/);
  const q = r.report.quarantine.map((x) => [x.site, x.item.replace(`${dir}/`, ''), x === j4 ? 'image of subject j4 cannot be read: (reader message)' : x.reason]);
  assert.deepEqual(q, [
    ['joins', 'joins-images/j4.png', 'image of subject j4 cannot be read: (reader message)'],
    ['joins', 'joins-images/j9.png', "image with join key j9 matches no record of site 'joins'"],
    ['joins', 'joins.csv line 4', `join key j3 has no image in ${dir}/joins-images (pattern {key}.png)`],
    ['labels', 'labels.csv line 3', "label column 'dx' has unexpected value 'maybe' (positive: 1; negative: 0)"],
    ['ragged', 'ragged.csv line 3', 'ragged row: expected number of columns: 3 found: 2'],
  ]);
  // Every site completed with its good subjects.
  assert.deepEqual(r.sites.map((s) => [s.siteId, s.subjects, s.quarantined]), [
    ['ragged', 3, 1],
    ['labels', 2, 1],
    ['joins', 2, 3],
    ['dupa', 2, 0],
    // x7 at dupa and x7 at dupb are two patients: subject identity is (site, id).
    ['dupb', 2, 0],
  ]);
  const c = await Catalog.open(ws);
  try {
    const subjects = await c.subjects();
    const ids = subjects.map((s) => `${s.siteId}/${s.subjectId}`).sort();
    assert.deepEqual(ids, ['dupa/a1', 'dupa/x7', 'dupb/b1', 'dupb/x7', 'joins/j1', 'joins/j2', 'labels/l1', 'labels/l3', 'ragged/r1', 'ragged/r3', 'ragged/r4']);
    const counts = await c.counts();
    // No partial record: every subject has its label, only j1 and j2 have image references, and the quarantined j4 left none.
    assert.equal(counts.labels, 11);
    assert.deepEqual(subjects.filter((s) => s.images.length > 0).map((s) => [s.subjectId, s.images[0].shape]), [
      ['j1', [3, 4, 3]],
      ['j2', [3, 4, 3]],
    ]);
    assert.equal(counts.modality_refs, 2);
    assert.equal(counts.quarantine, 5);
  } finally {
    c.close();
  }
  // A second run changes nothing, quarantine included.
  const again = await ingestManifest(join(dir, 'manifest.yaml'), { workspace: ws });
  assert.deepEqual(again.report.quarantine, r.report.quarantine);
  assert.deepEqual(again.sites.map((s) => s.status), ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
});

test('a manifest with a wrong key is refused before anything is written, naming the file, the key path and the allowed keys', async () => {
  const dir = await badData();
  await writeFile(join(dir, 'manifest.yaml'), MANIFEST.replace("images: { folder: joins-images, pattern: '{key}.png' }", "images: { folder: joins-images, patern: '{key}.png' }"));
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  await assert.rejects(ingestManifest(join(dir, 'manifest.yaml'), { workspace: ws }), (e: Error) => {
    assert.ok(e instanceof ManifestError);
    assert.ok(e.message.includes(join(dir, 'manifest.yaml')));
    assert.match(e.message, /unknown key 'patern' in sites\.2\.images; allowed keys: folder, pattern, glob, match, dicomweb, key, required/);
    return true;
  });
  assert.ok(!existsSync(join(ws, 'catalog.duckdb')));
});

test('a truncated DICOM, an unsupported transfer syntax, a non-DICOM .dcm and a corrupt .nii.gz are quarantined at ingest; the good DICOM is de-identified', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-bad-dcm-'));
  const good = await readFile('test/fixtures/ingest/phi/S002.dcm');
  await mkdir(join(dir, 'dcm'));
  await writeFile(join(dir, 'dcm', 'k1.dcm'), good);
  await writeFile(join(dir, 'dcm', 'k2.dcm'), good.subarray(0, good.length - 100));
  await writeFile(join(dir, 'dcm', 'k3.dcm'), 'plain text, not DICOM');
  await writeFile(join(dir, 'dcm', 'k4.dcm'), withTransferSyntax('1.2.840.10008.1.2.4.100'));
  // A gzip stream cut short: the NIfTI reader must name the file, not crash the ingest.
  await writeFile(join(dir, 'dcm', 'k5.nii.gz'), gzipSync(Uint8Array.from({ length: 4000 }, (_, i) => (i * 7919) % 251)).subarray(0, 200));
  await writeFile(join(dir, 't.csv'), 'id,age,dx\nk1,50,1\nk2,51,0\nk3,52,1\nk4,53,0\nk5,54,1\n');
  await writeFile(
    join(dir, 'manifest.yaml'),
    `schema: [{ name: age, kind: numeric }]
sites:
  - id: d
    tables: [{ path: t.csv }]
    subjectId: { column: id }
    label: { column: dx, positive: [1], negative: [0] }
    images: { glob: 'dcm/*', match: '^(?<key>k\\d)\\.(dcm|nii\\.gz)$' }
`,
  );
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  const r = await ingestManifest(join(dir, 'manifest.yaml'), { workspace: ws, env: { MEDTL_DEID_KEY: 'bad-dicom-test-key-0123456789' } });
  assert.deepEqual(r.sites.map((s) => [s.subjects, s.quarantined]), [[1, 4]]);
  const q = r.report.quarantine.map((x) => [x.item.replace(`${dir}/`, ''), x.reason]);
  assert.equal(q[0][0], 'dcm/k2.dcm');
  // The DICOM reader's message names the tag where the data ran out.
  assert.match(q[0][1], /^image of subject k2 cannot be read: .*truncated DICOM.*\(7FE0,0010\)/);
  assert.equal(q[1][0], 'dcm/k3.dcm');
  assert.match(q[1][1], /^image of subject k3 cannot be read: not a DICOM file/);
  assert.equal(q[2][0], 'dcm/k4.dcm');
  assert.match(q[2][1], /^image of subject k4 cannot be read: .*unsupported transfer syntax 1\.2\.840\.10008\.1\.2\.4\.100 \(MPEG2 Main Profile \/ Main Level\) in \(0002,0010\)/);
  assert.equal(q[3][0], 'dcm/k5.nii.gz');
  assert.match(q[3][1], /^image of subject k5 cannot be read: corrupt or truncated gzip stream in \.nii\.gz/);
  const c = await Catalog.open(ws);
  try {
    const subjects = await c.subjects();
    assert.deepEqual(subjects.map((s) => s.subjectId), ['k1']);
    assert.ok(subjects[0].images[0].path.startsWith(join(ws, 'images', 'd', 'k1')), 'the de-identified copy is in the workspace');
  } finally {
    c.close();
  }
});
