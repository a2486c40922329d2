import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dicomWebAuthFromEnv, listDicomWebImages } from '../../../src/data/dicomweb/image-source.js';
import { PULL_LEDGER } from '../../../src/data/dicomweb/index.js';
import { prepareSite } from '../../../src/data/ingest/prepare.js';
import { loadManifest } from '../../../src/data/manifest/index.js';
import { startFaultProxy } from './fault-proxy.js';
import { FIXTURES, fixture } from './fixtures.js';
import { orthancWithFixtures } from './orthanc.js';

const { skip, scratch, server } = orthancWithFixtures('the DICOMweb ingest tests', 'medtl-dicomweb-ingest-');

const { ct, mr, nm } = FIXTURES;

/** A one-site manifest whose table joins to the PACS by Patient ID; `extra` is appended to the dicomweb block. */
function manifest(dir: string, extra = ''): string {
  writeFileSync(join(dir, 'site.csv'), `pid,age,dx\n${ct.patientID},61,yes\n${mr.patientID},45,no\n${nm.patientID},52,no\nNOIMG,70,yes\n`);
  const file = join(dir, 'manifest.yaml');
  writeFileSync(
    file,
    `schema:
  - { name: age, kind: numeric, unit: years }
sites:
  - id: pacs-site
    tables: [{ path: site.csv }]
    subjectId: { column: pid }
    label: { column: dx, positive: [yes], negative: [no] }
    images:
      dicomweb: { url: '${server().dicomWebUrl}'${extra} }
`,
  );
  return file;
}

test('ingest pulls a dicomweb image source into the download folder and joins the files by Patient ID', { skip }, async () => {
  const dir = mkdtempSync(join(scratch, 'all-'));
  const m = await loadManifest(manifest(dir));
  const downloadDir = join(dir, 'workspace-raw');
  const site = await prepareSite(m.sites[0], m.schema, { downloadDir });
  const byId = new Map(site.subjects.map((s) => [s.subjectId, s]));
  assert.deepEqual([...byId.keys()].sort(), [ct.patientID, mr.patientID, nm.patientID].sort());
  for (const f of [ct, mr, nm]) {
    const files = byId.get(f.patientID)!.image!.files;
    assert.deepEqual(files, [join(downloadDir, 'dicomweb', 'pacs-site', `${f.sop}.dcm`)]);
    assert.ok(readFileSync(files[0]).equals(readFileSync(fixture(f.file))), f.file);
  }
  // The subject without a study on the PACS is quarantined by ingest, naming the endpoint.
  assert.equal(site.quarantine.length, 1);
  assert.match(site.quarantine[0].item, /site\.csv line 5/);
  assert.match(site.quarantine[0].reason, new RegExp(`join key NOIMG has no image among ${server().dicomWebUrl}`));

  // A second ingest finds the files already there: same listing, nothing downloaded again.
  const again = await prepareSite(m.sites[0], m.schema, { downloadDir });
  assert.deepEqual(again.subjects.map((s) => s.image!.files), site.subjects.map((s) => s.image!.files));
  const ledger = readFileSync(join(downloadDir, 'dicomweb', 'pacs-site', PULL_LEDGER), 'utf8').trim().split('\n');
  assert.equal(ledger.length, 3, 'the ledger gains a line per download; a second ingest must add none');
});

test('a manifest study list restricts the pull; a listed study the PACS lacks is quarantined with its URL', { skip }, async () => {
  const dir = mkdtempSync(join(scratch, 'listed-'));
  const m = await loadManifest(manifest(dir, `, studies: ['${mr.study}', '1.2.3.4']`));
  const site = await prepareSite(m.sites[0], m.schema, { downloadDir: join(dir, 'raw') });
  assert.deepEqual(site.subjects.map((s) => s.subjectId), [mr.patientID]);
  const missing = site.quarantine.find((q) => q.item.endsWith('/studies/1.2.3.4'));
  assert.ok(missing, JSON.stringify(site.quarantine));
  assert.equal(missing.item, `${server().dicomWebUrl}/studies/1.2.3.4`);
  assert.match(missing.reason, /study 1\.2\.3\.4 is listed in the manifest but not found on the server/);
  // The other subjects have no image among the listed studies.
  assert.equal(site.quarantine.filter((q) => /has no image/.test(q.reason)).length, 3);
});

test('the image source searches the PACS per join key, never all of it, and gives a subject with a failed instance no images', { skip }, async () => {
  const mrInstance = `/dicom-web/studies/${mr.study}/series/${mr.series}/instances/${mr.sop}`;
  const proxy = await startFaultProxy(server().url, (path) => (path === mrInstance ? { status: 404 } : 'pass'));
  try {
    const source = { dicomweb: { url: `${proxy.url}/dicom-web` }, required: true };
    const listing = await listDicomWebImages(source, { siteId: 's', keys: [ct.patientID, mr.patientID, '4MR*'], downloadDir: mkdtempSync(join(scratch, 'keys-')) });
    assert.deepEqual([...listing.byKey.keys()], [ct.patientID]);
    assert.equal(listing.unmatched.length, 1);
    assert.equal(listing.unmatched[0].file, `${proxy.url}${mrInstance}`);
    assert.match(listing.unmatched[0].reason, /HTTP 404 Not Found/);
    // One study search per usable key; the wildcard key is not sent (it would match other patients).
    const searches = proxy.requests.filter((r) => r.path.startsWith('/dicom-web/studies?')).map((r) => new URL(r.path, proxy.url).searchParams.get('PatientID'));
    assert.deepEqual(searches.sort(), [ct.patientID, mr.patientID].sort());
  } finally {
    await proxy.close();
  }
});

test('DICOMweb credentials come from the environment, a bearer token first', () => {
  assert.deepEqual(dicomWebAuthFromEnv({ MEDTL_DICOMWEB_TOKEN: 't', MEDTL_DICOMWEB_USER: 'u' }), { bearer: 't' });
  assert.deepEqual(dicomWebAuthFromEnv({ MEDTL_DICOMWEB_USER: 'u', MEDTL_DICOMWEB_PASSWORD: 'p' }), { username: 'u', password: 'p' });
  assert.equal(dicomWebAuthFromEnv({}), undefined);
});
