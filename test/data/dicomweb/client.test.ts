import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  DicomWebError,
  retrieveInstance,
  retrieveParts,
  searchAll,
  searchInstances,
  searchSeries,
  searchStudies,
} from '../../../src/data/dicomweb/index.js';
import type { DicomWebEndpoint } from '../../../src/data/dicomweb/index.js';
import { startFaultProxy } from './fault-proxy.js';
import { FIXTURES, FIXTURE_PATHS, fixture } from './fixtures.js';
import { orthancSkipReason, startOrthanc } from './orthanc.js';
import type { OrthancServer } from './orthanc.js';

const skip = orthancSkipReason();
if (skip) console.log(`skipping the Orthanc DICOMweb tests: ${skip}`);

let orthanc: OrthancServer | undefined;
let pacs: DicomWebEndpoint;

before(async () => {
  if (skip) return;
  orthanc = await startOrthanc();
  const statuses = await orthanc.upload(FIXTURE_PATHS);
  assert.deepEqual(statuses, ['Success', 'Success', 'Success']);
  pacs = { url: orthanc.dicomWebUrl, retryDelayMs: 10 };
});

after(async () => {
  await orthanc?.stop();
});

const { ct, mr, nm } = FIXTURES;
const sorted = (xs: string[]) => [...xs].sort();

test('QIDO-RS finds the uploaded studies, by attribute filters and page by page', { skip }, async () => {
  const all = await searchStudies(pacs);
  assert.deepEqual(sorted(all.map((s) => s.studyInstanceUID)), sorted([ct.study, mr.study, nm.study]));
  const ctStudy = all.find((s) => s.studyInstanceUID === ct.study)!;
  assert.equal(ctStudy.patientID, ct.patientID);
  assert.equal(ctStudy.studyDate, ct.studyDate);
  assert.deepEqual(ctStudy.modalitiesInStudy, ['CT']);
  assert.equal(ctStudy.numberOfSeries, 1);
  assert.equal(ctStudy.numberOfInstances, 1);
  assert.equal(ctStudy.patientName, 'CompressedSamples^CT1');

  assert.deepEqual((await searchStudies(pacs, { PatientID: mr.patientID })).map((s) => s.studyInstanceUID), [mr.study]);
  assert.deepEqual((await searchStudies(pacs, { ModalitiesInStudy: 'CT' })).map((s) => s.studyInstanceUID), [ct.study]);
  // A date range: MR and NM were acquired on 20040826, CT on 20040119.
  const aug = await searchStudies(pacs, { StudyDate: '20040801-20041231' });
  assert.deepEqual(sorted(aug.map((s) => s.studyInstanceUID)), sorted([mr.study, nm.study]));
  // UID-list matching: a list joins with commas.
  const two = await searchStudies(pacs, { StudyInstanceUID: [ct.study, nm.study] });
  assert.deepEqual(sorted(two.map((s) => s.studyInstanceUID)), sorted([ct.study, nm.study]));
  assert.deepEqual(await searchStudies(pacs, { PatientID: 'nobody' }), []);

  assert.equal((await searchStudies(pacs, { limit: 2 })).length, 2);
  const paged = await searchAll((q) => searchStudies(pacs, q), {}, 1);
  assert.deepEqual(sorted(paged.map((s) => s.studyInstanceUID)), sorted([ct.study, mr.study, nm.study]));
});

test('QIDO-RS finds each series and instance with the UIDs and attributes of the fixture file', { skip }, async () => {
  for (const f of [ct, mr, nm]) {
    const series = await searchSeries(pacs, f.study);
    assert.equal(series.length, 1, f.file);
    assert.equal(series[0].seriesInstanceUID, f.series);
    assert.equal(series[0].studyInstanceUID, f.study);
    assert.equal(series[0].modality, f.modality);
    const instances = await searchInstances(pacs, { studyInstanceUID: f.study, seriesInstanceUID: f.series });
    assert.equal(instances.length, 1, f.file);
    const i = instances[0];
    assert.deepEqual(
      [i.studyInstanceUID, i.seriesInstanceUID, i.sopInstanceUID, i.sopClassUID, i.rows, i.columns],
      [f.study, f.series, f.sop, f.sopClass, f.rows, f.columns],
      f.file,
    );
  }
  const everySeries = await searchSeries(pacs, undefined, { Modality: 'MR' });
  assert.deepEqual(everySeries.map((s) => s.seriesInstanceUID), [mr.series]);
  const everyInstance = await searchInstances(pacs);
  assert.deepEqual(sorted(everyInstance.map((i) => i.sopInstanceUID)), sorted([ct.sop, mr.sop, nm.sop]));
  await assert.rejects(searchInstances(pacs, { seriesInstanceUID: ct.series }), /needs its study UID/);
});

test('WADO-RS returns each instance byte-identical to the uploaded file, JPEG 2000 included', { skip }, async () => {
  for (const f of [ct, mr, nm]) {
    const bytes = await retrieveInstance(pacs, { studyInstanceUID: f.study, seriesInstanceUID: f.series, sopInstanceUID: f.sop });
    assert.ok(Buffer.from(bytes).equals(readFileSync(fixture(f.file))), `${f.file} differs after the round trip`);
  }
  // Study level: all parts of the study, here one.
  const parts = [];
  for await (const p of retrieveParts(pacs, { studyInstanceUID: mr.study })) parts.push(p);
  assert.equal(parts.length, 1);
  assert.equal(parts[0].headers['content-type'], 'application/dicom');
  assert.ok(Buffer.from(parts[0].body).equals(readFileSync(fixture(mr.file))));
  // Asking explicitly for the transfer syntax CT_small is stored in changes nothing.
  const explicit = await retrieveInstance(
    pacs,
    { studyInstanceUID: ct.study, seriesInstanceUID: ct.series, sopInstanceUID: ct.sop },
    { transferSyntax: '1.2.840.10008.1.2.1' },
  );
  assert.ok(Buffer.from(explicit).equals(readFileSync(fixture(ct.file))));
});

test('an unknown study is an HTTP 404 error naming the URL; an unreachable server names the URL too', { skip }, async () => {
  const uids = { studyInstanceUID: '1.2.3.4', seriesInstanceUID: '1.2.3.4.5', sopInstanceUID: '1.2.3.4.5.6' };
  await assert.rejects(retrieveInstance(pacs, uids), (e: Error) => {
    assert.ok(e instanceof DicomWebError);
    assert.equal(e.status, 404);
    assert.equal(e.url, `${orthanc!.dicomWebUrl}/studies/1.2.3.4/series/1.2.3.4.5/instances/1.2.3.4.5.6`);
    assert.match(e.message, /^GET http:\/\/127\.0\.0\.1:\d+\/dicom-web\/studies\/1\.2\.3\.4\/series\/1\.2\.3\.4\.5\/instances\/1\.2\.3\.4\.5\.6: HTTP 404 Not Found/);
    return true;
  });
  const gone = await startFaultProxy(orthanc!.dicomWebUrl, () => 'pass');
  await gone.close();
  await assert.rejects(searchStudies({ url: gone.url, retries: 1, retryDelayMs: 1 }), (e: Error) => {
    assert.ok(e instanceof DicomWebError);
    assert.equal(e.status, undefined);
    assert.match(e.message, new RegExp(`^GET ${gone.url}/studies: network error \\(ECONNREFUSED\\) after 2 attempt\\(s\\)`));
    return true;
  });
});

test('transient errors are retried a bounded number of times; credentials go in a header, never in the URL', { skip }, async () => {
  const study = `/dicom-web/studies/${ct.study}/series/${ct.series}/instances/${ct.sop}`;
  const proxy = await startFaultProxy(orthanc!.url, (path, nth) => {
    if (path === '/dicom-web/studies') return nth <= 2 ? { status: 503, retryAfter: '0' } : 'pass';
    if (path === study) return nth === 1 ? { status: 502 } : 'pass';
    return { status: 503 };
  });
  try {
    const viaProxy = { url: `http://alice:s%3Acret@127.0.0.1:${new URL(proxy.url).port}/dicom-web`, retryDelayMs: 1 };
    assert.equal((await searchStudies(viaProxy)).length, 3);
    const bytes = await retrieveInstance(viaProxy, { studyInstanceUID: ct.study, seriesInstanceUID: ct.series, sopInstanceUID: ct.sop });
    assert.ok(Buffer.from(bytes).equals(readFileSync(fixture(ct.file))));
    assert.equal(proxy.requests[0].headers.authorization, `Basic ${Buffer.from('alice:s:cret').toString('base64')}`);
    assert.equal(proxy.requests.length, 3 + 2);
    // Always 503: the first try plus `retries` more, then an error naming the status and the attempts.
    await assert.rejects(searchSeries({ ...viaProxy, retries: 2, auth: { bearer: 'tok' } }), (e: Error) => {
      assert.ok(e instanceof DicomWebError);
      assert.equal(e.status, 503);
      assert.match(e.message, /^GET http:\/\/127\.0\.0\.1:\d+\/dicom-web\/series: HTTP 503 Service Unavailable: injected HTTP 503 after 3 attempts$/);
      assert.doesNotMatch(e.message, /alice|cret/);
      return true;
    });
    assert.equal(proxy.requests.at(-1)!.headers.authorization, 'Bearer tok');
    assert.equal(proxy.requests.filter((r) => r.path === '/dicom-web/series').length, 3);
  } finally {
    await proxy.close();
  }
});

test('searchAll pages until a short page, takes an unpaged answer as complete, and stops on a server that ignores offset', async () => {
  const rows = Array.from({ length: 7 }, (_, i) => i);
  const queries: unknown[] = [];
  const paged = await searchAll(async (q) => {
    queries.push(q);
    return rows.slice(Number(q.offset), Number(q.offset) + Number(q.limit));
  }, { PatientID: 'p' }, 3);
  assert.deepEqual(paged, rows);
  assert.deepEqual(queries, [0, 3, 6].map((offset) => ({ PatientID: 'p', limit: 3, offset })));
  assert.deepEqual(await searchAll(async () => rows, {}, 3), rows);
  await assert.rejects(searchAll(async (q) => rows.slice(0, Number(q.limit)), {}, 3, 'http://pacs/studies'), /^Error: http:\/\/pacs\/studies: offset 3 returned the same 3 results as offset 0; the server ignores offset/);
});
