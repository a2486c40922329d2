import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ingestManifest } from '../../../src/data/ingest/index.js';
import { FIXTURES } from './fixtures.js';
import { orthancWithFixtures } from './orthanc.js';

const { skip, scratch, server } = orthancWithFixtures('the DICOMweb ingest test', 'medtl-dicomweb-ws-');

const { ct, mr } = FIXTURES;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

test('medtl ingest from a DICOMweb site: images pulled, de-identified into the workspace, no PHI from the PACS left there, re-run unchanged', { skip }, async () => {
  const data = mkdtempSync(join(scratch, 'data-'));
  writeFileSync(join(data, 'site.csv'), `pid,age,dx\n${ct.patientID},61,yes\n${mr.patientID},45,no\n`);
  const manifest = join(data, 'manifest.yaml');
  writeFileSync(
    manifest,
    `schema:
  - { name: age, kind: numeric, unit: years }
sites:
  - id: pacs
    tables: [{ path: site.csv }]
    subjectId: { column: pid }
    label: { column: dx, positive: [yes], negative: [no] }
    phi: { pid: pseudonymise }
    images:
      dicomweb: { url: '${server().dicomWebUrl}' }
`,
  );
  const workspace = mkdtempSync(join(scratch, 'ws-'));
  const downloads = mkdtempSync(join(scratch, 'pulled-'));
  const env = { MEDTL_DEID_KEY: 'a-test-key-that-is-long-enough-0123456789' };
  const first = await ingestManifest(manifest, { workspace, env, downloadDir: downloads });
  assert.deepEqual(first.sites.map((s) => [s.siteId, s.status, s.subjects, s.quarantined]), [['pacs', 'ingested', 2, 0]]);

  // The originals were pulled outside the workspace; the workspace holds de-identified copies.
  const pulled = filesUnder(downloads).filter((f) => f.endsWith('.dcm'));
  assert.deepEqual(pulled.map((f) => f.split('/').at(-1)).sort(), [`${ct.sop}.dcm`, `${mr.sop}.dcm`].sort());
  const stored = filesUnder(workspace).filter((f) => f.endsWith('.dcm'));
  assert.equal(stored.length, 2);

  // Values from the PACS that identify the patients or studies (pydicom-read fixture values).
  const phi = [ct.patientID, mr.patientID, 'CompressedSamples^CT1', 'CompressedSamples^MR1', ct.study, mr.study, ct.sop, mr.sop];
  for (const file of filesUnder(workspace)) {
    const bytes = readFileSync(file);
    for (const value of phi) assert.equal(bytes.indexOf(Buffer.from(value, 'latin1')), -1, `${file} contains ${value}`);
  }

  const again = await ingestManifest(manifest, { workspace, env, downloadDir: downloads });
  assert.deepEqual(again.sites.map((s) => s.status), ['unchanged']);
});
