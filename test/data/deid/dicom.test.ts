import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import dicomParser from 'dicom-parser';
import { DicomDeidError, deidentifyDicom, remapUid, shiftDicomDate, shiftDicomDateTime } from '../../../src/data/deid/dicom.js';
import { PROFILE_TABLE, SAFE_KEYWORDS } from '../../../src/data/deid/dicom-profile.js';
import { dcmjs, keywordTag } from '../../../src/data/readers/dicom/dcmjs.js';
import { parseDicom, pixelStats } from '../../../src/data/readers/index.js';

const FIXTURES = new URL('../../fixtures/dicom/', import.meta.url).pathname;
const KEY = 'test-secret-key';

/** PHI written into copies of CT_small.dcm; none of these strings may survive de-identification. */
const PHI = {
  PatientName: 'Doe^Janette',
  PatientID: 'MRN-4471-XQ',
  PatientBirthDate: '19610704',
  OtherPatientIDs: 'ALT-99120-ZZ',
  PatientAddress: '12 Elmwood Street Springfield',
  InstitutionName: 'Saint Examplia Hospital',
  InstitutionAddress: '400 Harbour Road Gotham',
  ReferringPhysicianName: 'Housemann^Gregor',
  AccessionNumber: 'ACC99887766',
  StudyID: 'STUDY-7731',
  OperatorsName: 'Techworth^Olive',
  StationName: 'CTSTATION-EAST-3',
  StudyDescription: 'Chest CT for Janette',
  PRIVATE: 'PRIVATE-Janette-Doe-PHI',
};
const STUDY_UID = '1.2.826.0.1.3680043.2.1125.777.1';
const SOP_UIDS = ['1.2.826.0.1.3680043.2.1125.777.1.1', '1.2.826.0.1.3680043.2.1125.777.1.2'];

function withPhi(sopInstanceUid: string): Uint8Array {
  const bytes = readFileSync(`${FIXTURES}CT_small.dcm`);
  const file = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const set = (keyword: string, vr: string, value: unknown) => {
    file.dict[keywordTag(keyword)] = { vr, Value: [value] };
  };
  set('PatientName', 'PN', { Alphabetic: PHI.PatientName });
  set('PatientID', 'LO', PHI.PatientID);
  set('PatientBirthDate', 'DA', PHI.PatientBirthDate);
  set('OtherPatientIDs', 'LO', PHI.OtherPatientIDs);
  set('PatientAddress', 'LO', PHI.PatientAddress);
  set('InstitutionName', 'LO', PHI.InstitutionName);
  set('InstitutionAddress', 'ST', PHI.InstitutionAddress);
  set('ReferringPhysicianName', 'PN', { Alphabetic: PHI.ReferringPhysicianName });
  set('AccessionNumber', 'SH', PHI.AccessionNumber);
  set('StudyID', 'SH', PHI.StudyID);
  set('OperatorsName', 'PN', { Alphabetic: PHI.OperatorsName });
  set('StationName', 'SH', PHI.StationName);
  set('StudyDescription', 'LO', PHI.StudyDescription);
  set('StudyInstanceUID', 'UI', STUDY_UID);
  set('SOPInstanceUID', 'UI', sopInstanceUid);
  file.meta['00020003'] = { vr: 'UI', Value: [sopInstanceUid] };
  file.dict['00990010'] = { vr: 'LO', Value: ['MEDTL TEST CREATOR'] };
  file.dict['00991001'] = { vr: 'LO', Value: [PHI.PRIVATE] };
  return new Uint8Array(file.write());
}

function containsAscii(haystack: Uint8Array, needle: string): boolean {
  return Buffer.from(haystack).includes(Buffer.from(needle, 'latin1'));
}

function parse(bytes: Uint8Array) {
  return dicomParser.parseDicom(bytes);
}

const options = (pseudonym = 'SUBJ-0001') => ({ pseudonym, dateShiftDays: -100, key: KEY, source: 'phi.dcm' });

test('every Table E.1-1 row names its tag as the DICOM dictionary does; every safe keyword exists', () => {
  const dict = dcmjs.data.DicomMetaDictionary.dictionary;
  for (const [tag, row] of PROFILE_TABLE) {
    assert.equal(dict[`(${tag.slice(0, 4)},${tag.slice(4, 8)})`]?.name.replace(/^RETIRED_/, ''), row.name, tag);
  }
  for (const k of SAFE_KEYWORDS) assert.match(keywordTag(k), /^[0-9A-F]{8}$/, k);
});

test('no PHI value, original UID or private tag survives; pseudonym and profile markers are set', () => {
  const input = withPhi(SOP_UIDS[0]);
  for (const v of Object.values(PHI)) assert.ok(containsAscii(input, v), `fixture should carry ${v}`);
  const { bytes, removed } = deidentifyDicom(input, options());
  for (const v of [...Object.values(PHI), STUDY_UID, SOP_UIDS[0], KEY, '20040119']) {
    assert.ok(!containsAscii(bytes, v), `output still contains ${v}`);
  }
  const ds = parse(bytes);
  assert.equal(ds.string('x00100010'), 'SUBJ-0001');
  assert.equal(ds.string('x00100020'), 'SUBJ-0001');
  assert.equal(ds.string('x00120062'), 'YES');
  assert.match(ds.string('x00120063') ?? '', /Basic Application Level Confidentiality Profile/);
  assert.equal(ds.elements.x00100030?.length ?? 0, 0, 'PatientBirthDate blanked');
  assert.equal(ds.elements.x00080080, undefined, 'InstitutionName removed');
  assert.ok(!Object.keys(ds.elements).some((t) => parseInt(t.slice(1, 5), 16) % 2 === 1), 'no private tag left');
  for (const k of ['PatientName', 'PatientID', 'PatientBirthDate', 'OtherPatientIDs', 'InstitutionName', 'AccessionNumber', 'OperatorsName']) {
    assert.ok(removed.includes(k), `removed lists ${k}`);
  }
  assert.ok(removed.includes('(0099,1001)'), 'removed lists the private tag');
});

test('dates move by dateShiftDays; pixel-interpretation attributes and pixel data are unchanged', () => {
  const input = withPhi(SOP_UIDS[0]);
  const before = parse(input);
  const after = parse(deidentifyDicom(input, options()).bytes);
  // CT_small.dcm: StudyDate 20040119; 100 days earlier is 2003-10-11.
  assert.equal(before.string('x00080020'), '20040119');
  assert.equal(after.string('x00080020'), '20031011');
  assert.equal(after.string('x00080030'), before.string('x00080030'), 'times kept (modified-dates option)');
  for (const tag of ['x00280010', 'x00280011', 'x00280100', 'x00280101', 'x00280103']) assert.equal(after.uint16(tag), before.uint16(tag), tag);
  for (const tag of ['x00280004', 'x00281052', 'x00281053', 'x00281050', 'x00281051', 'x00280030', 'x00200032', 'x00200037', 'x00180050']) {
    assert.equal(after.string(tag), before.string(tag), tag);
  }
  const px = (ds: dicomParser.DataSet) => {
    const el = ds.elements.x7fe00010;
    return Buffer.from(ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length));
  };
  assert.ok(px(before).equals(px(after)), 'pixel data bytes identical');
});

test('the DICOM reader decodes identical modality values before and after, across transfer syntaxes', async () => {
  for (const name of ['CT_small.dcm', 'MR_small_bigendian.dcm', 'MR_small_RLE.dcm', 'MR_small_jp2klossless.dcm', 'image_dfl.dcm', 'SC_rgb_jpeg_dcmtk.dcm', 'rtdose.dcm']) {
    const input = readFileSync(`${FIXTURES}${name}`);
    const before = await parseDicom(input, name);
    const after = await parseDicom(deidentifyDicom(input, { ...options(), source: name }).bytes, `${name} (de-identified)`);
    assert.deepEqual(after.shape, before.shape, name);
    assert.equal(pixelStats(after).sha256, pixelStats(before).sha256, name);
  }
});

test('UIDs: same study → same new StudyInstanceUID, distinct SOP UIDs, valid 2.25 form, key-dependent', () => {
  const a = parse(deidentifyDicom(withPhi(SOP_UIDS[0]), options()).bytes);
  const b = parse(deidentifyDicom(withPhi(SOP_UIDS[1]), options()).bytes);
  const study = a.string('x0020000d') ?? '';
  assert.equal(b.string('x0020000d'), study);
  assert.equal(study, remapUid(STUDY_UID, KEY));
  assert.notEqual(a.string('x00080018'), b.string('x00080018'));
  assert.equal(a.string('x00020003'), a.string('x00080018'), 'MediaStorageSOPInstanceUID follows SOPInstanceUID');
  assert.equal(a.string('x00080016'), '1.2.840.10008.5.1.4.1.1.2', 'SOP Class UID kept');
  for (const uid of [study, a.string('x0020000e') ?? '', a.string('x00080018') ?? '', a.string('x00200052') ?? '']) {
    // PS3.5 9.1: components without leading zeros, at most 64 characters.
    assert.match(uid, /^2\.25\.(0|[1-9]\d*)$/);
    assert.ok(uid.length <= 64, uid);
  }
  assert.notEqual(remapUid(STUDY_UID, 'another-key'), study);
});

test('date helpers shift across month/year ends and ranges, and refuse partial dates', () => {
  assert.equal(shiftDicomDate('20000301', -1), '20000229');
  assert.equal(shiftDicomDate('20191231', 1), '20200101');
  assert.equal(shiftDicomDate('20190101-20190110', 10), '20190111-20190120');
  assert.equal(shiftDicomDate('2019', 3), undefined);
  assert.equal(shiftDicomDateTime('20190101120000.5+0100', -2), '20181230120000.5+0100');
});

test('bad input: truncated, non-Part-10 and empty-key calls name the file and the reason', () => {
  const truncated = readFileSync(`${FIXTURES}MR_truncated.dcm`);
  assert.throws(() => deidentifyDicom(truncated, { ...options(), source: 'MR_truncated.dcm' }), (e: unknown) => {
    assert.ok(e instanceof DicomDeidError);
    assert.match(e.message, /^MR_truncated\.dcm: .*truncated.*\(7FE0,0010\)/);
    return true;
  });
  const bare = readFileSync(`${FIXTURES}ExplVR_LitEndNoMeta.dcm`);
  assert.throws(() => deidentifyDicom(bare, { ...options(), source: 'bare.dcm' }), /^DicomDeidError: bare\.dcm: not a DICOM Part 10 file/);
  assert.throws(() => deidentifyDicom(withPhi(SOP_UIDS[0]), { ...options(), key: '' }), /phi\.dcm: .*non-empty key/);
});
