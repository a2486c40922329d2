import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DicomWebError, PULL_LEDGER, pullStudies } from '../../../src/data/dicomweb/index.js';
import type { DicomWebEndpoint, PullProgress } from '../../../src/data/dicomweb/index.js';
import { startFaultProxy } from './fault-proxy.js';
import { FIXTURES, FIXTURE_PATHS, fixture } from './fixtures.js';
import { orthancSkipReason, startOrthanc } from './orthanc.js';
import type { OrthancServer } from './orthanc.js';

const skip = orthancSkipReason();
if (skip) console.log(`skipping the Orthanc DICOMweb pull tests: ${skip}`);

let orthanc: OrthancServer | undefined;
let pacs: DicomWebEndpoint;
const scratch = mkdtempSync(join(tmpdir(), 'medtl-pull-'));

before(async () => {
  if (skip) return;
  orthanc = await startOrthanc();
  await orthanc.upload(FIXTURE_PATHS);
  pacs = { url: orthanc.dicomWebUrl, retryDelayMs: 5 };
});

after(async () => {
  await orthanc?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const { ct, mr, nm } = FIXTURES;
const ALL = [ct, mr, nm];
const isWado = (path: string) => path.includes('/instances/');

test('pullStudies writes each instance as <SOPInstanceUID>.dcm, byte-identical, and a second pull downloads nothing', { skip }, async () => {
  const dest = join(scratch, 'all');
  const proxy = await startFaultProxy(orthanc!.url, () => 'pass');
  try {
    const viaProxy = { ...pacs, url: `${proxy.url}/dicom-web` };
    const progress: PullProgress[] = [];
    const first = await pullStudies(viaProxy, {}, dest, { onProgress: (p) => progress.push(p) });
    assert.deepEqual(first.failures, []);
    assert.equal(first.downloaded, 3);
    assert.equal(first.skipped, 0);
    assert.deepEqual([...first.studies].sort(), ALL.map((f) => f.study).sort());
    assert.deepEqual(progress.map((p) => [p.done, p.total]), [[1, 3], [2, 3], [3, 3]]);
    assert.deepEqual(readdirSync(dest).sort(), [PULL_LEDGER, ...ALL.map((f) => `${f.sop}.dcm`)].sort());
    for (const f of ALL) {
      const got = first.instances.find((i) => i.sopInstanceUID === f.sop)!;
      assert.equal(got.path, join(dest, `${f.sop}.dcm`));
      assert.equal(got.seriesInstanceUID, f.series);
      assert.ok(readFileSync(got.path).equals(readFileSync(fixture(f.file))), f.file);
    }
    assert.equal(first.bytesDownloaded, ALL.reduce((s, f) => s + readFileSync(fixture(f.file)).length, 0));
    const wadoBefore = proxy.requests.filter((r) => isWado(r.path)).length;
    assert.equal(wadoBefore, 3);

    const second = await pullStudies(viaProxy, {}, dest);
    assert.deepEqual([second.downloaded, second.skipped, second.failures.length], [0, 3, 0]);
    assert.equal(proxy.requests.filter((r) => isWado(r.path)).length, wadoBefore, 'a resumed pull must not retrieve any instance again');

    // Same size, different bytes: the hash catches it. A deleted file is fetched again too.
    const ctPath = join(dest, `${ct.sop}.dcm`);
    const damaged = readFileSync(ctPath);
    damaged[damaged.length - 1] ^= 0xff;
    writeFileSync(ctPath, damaged);
    unlinkSync(join(dest, `${mr.sop}.dcm`));
    const third = await pullStudies(viaProxy, {}, dest);
    assert.deepEqual([third.downloaded, third.skipped, third.failures.length], [2, 1, 0]);
    assert.deepEqual(third.instances.filter((i) => i.status === 'downloaded').map((i) => i.sopInstanceUID).sort(), [ct.sop, mr.sop].sort());
    assert.ok(readFileSync(ctPath).equals(readFileSync(fixture(ct.file))));
  } finally {
    await proxy.close();
  }
});

test('pullStudies by UID list or QIDO filter; an unknown study is reported, the others still pulled', { skip }, async () => {
  const dest = join(scratch, 'some');
  const r = await pullStudies(pacs, { studies: [ct.study, '1.2.3.4', '../etc'] }, dest);
  assert.deepEqual(r.instances.map((i) => i.sopInstanceUID), [ct.sop]);
  assert.equal(r.failures.length, 2);
  assert.match(r.failures[0].message, /^GET http:\/\/127\.0\.0\.1:\d+\/dicom-web\/studies\/1\.2\.3\.4\/instances: study 1\.2\.3\.4 not found/);
  assert.equal(r.failures[0].studyInstanceUID, '1.2.3.4');
  assert.match(r.failures[1].message, /"\.\.\/etc" is not a valid Study Instance UID/);

  const mrOnly = await pullStudies(pacs, { match: { ModalitiesInStudy: 'MR' } }, join(scratch, 'mr'));
  assert.deepEqual(mrOnly.instances.map((i) => i.sopInstanceUID), [mr.sop]);
  await assert.rejects(pullStudies(pacs, { studies: [ct.study], match: { PatientID: 'x' } }, dest), DicomWebError);
});

test('pullStudies retries a 503 and a body cut off mid-way, reports a 404 instance, and a later pull fetches only what failed', { skip }, async () => {
  const dest = join(scratch, 'faults');
  const wado = (f: typeof ct) => `/dicom-web/studies/${f.study}/series/${f.series}/instances/${f.sop}`;
  let mrBroken = true;
  const proxy = await startFaultProxy(orthanc!.url, (path, nth) => {
    if (path === wado(ct) && nth === 1) return 'cut';
    if (path === wado(nm) && nth === 1) return { status: 503 };
    if (path === wado(mr) && mrBroken) return { status: 404 };
    return 'pass';
  });
  try {
    const viaProxy = { ...pacs, url: `${proxy.url}/dicom-web` };
    const failed: PullProgress[] = [];
    const r = await pullStudies(viaProxy, {}, dest, { onProgress: (p) => p.failure && failed.push(p) });
    assert.equal(r.downloaded, 2);
    assert.equal(r.failures.length, 1);
    const f = r.failures[0];
    assert.deepEqual([f.studyInstanceUID, f.seriesInstanceUID, f.sopInstanceUID, f.status], [mr.study, mr.series, mr.sop, 404]);
    assert.equal(f.url, `${proxy.url}${wado(mr)}`);
    assert.match(f.message, new RegExp(`^GET ${proxy.url.replace(/\./g, '\\.')}/dicom-web/studies/.*: HTTP 404 Not Found`));
    assert.equal(failed.length, 1);
    assert.equal(proxy.requests.filter((q) => q.path === wado(ct)).length, 2, 'the cut-off body is fetched once more');
    assert.equal(proxy.requests.filter((q) => q.path === wado(nm)).length, 2, 'the 503 is retried once');
    assert.deepEqual(readdirSync(dest).filter((n) => n.endsWith('.part')), []);
    for (const g of [ct, nm]) assert.ok(readFileSync(join(dest, `${g.sop}.dcm`)).equals(readFileSync(fixture(g.file))));

    mrBroken = false;
    const again = await pullStudies(viaProxy, {}, dest);
    assert.deepEqual([again.downloaded, again.skipped, again.failures.length], [1, 2, 0]);
    assert.equal(again.instances.find((i) => i.status === 'downloaded')!.sopInstanceUID, mr.sop);
  } finally {
    await proxy.close();
  }
});
