import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DicomJsonError, numberValue, parseDicomJson, stringValue, stringValues } from '../../../src/data/dicomweb/index.js';
import { toInstance, toStudy } from '../../../src/data/dicomweb/dicom-json.js';

const SRC = 'GET http://pacs/dicom-web/studies';

test('DICOM JSON values: person names by their Alphabetic form, multi-valued strings, IS/DS numbers, lower-case tags', () => {
  const [ds] = parseDicomJson(
    [
      {
        '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
        '00080061': { vr: 'CS', Value: ['CT', 'PT'] },
        '00201208': { vr: 'IS', Value: ['12'] },
        '00280010': { vr: 'US', Value: [512] },
        '0020000d': { vr: 'UI', Value: ['1.2.3'] },
        '00080050': { vr: 'SH' },
      },
    ],
    SRC,
  );
  assert.equal(stringValue(ds, 'PatientName'), 'Doe^Jane');
  assert.deepEqual(stringValues(ds, 'ModalitiesInStudy'), ['CT', 'PT']);
  assert.equal(numberValue(ds, 'NumberOfStudyRelatedInstances'), 12);
  assert.equal(numberValue(ds, 'Rows'), 512);
  assert.equal(stringValue(ds, 'StudyInstanceUID'), '1.2.3', 'tags are matched case-insensitively');
  assert.equal(stringValue(ds, 'AccessionNumber'), undefined, 'an empty element has no value');
  assert.equal(toStudy(ds, SRC, 1).numberOfInstances, 12);
});

test('malformed DICOM JSON and a result without its UID are errors naming the URL and where', () => {
  assert.throws(() => parseDicomJson({ not: 'a list' }, SRC), (e: Error) => {
    assert.ok(e instanceof DicomJsonError);
    assert.match(e.message, /^GET http:\/\/pacs\/dicom-web\/studies: not DICOM JSON at \(root\)/);
    return true;
  });
  assert.throws(() => parseDicomJson([{ '0020000D': { Value: ['1'] } }], SRC), /studies: not DICOM JSON at 0\.0020000D\.vr/);
  assert.throws(() => parseDicomJson([{ PatientID: { vr: 'LO' } }], SRC), /not DICOM JSON at 0\.PatientID: .*8 hex digits/);
  const [noUid] = parseDicomJson([{ '00100020': { vr: 'LO', Value: ['p'] } }], SRC);
  assert.throws(() => toStudy(noUid, SRC, 3), /^DicomJsonError: GET http:\/\/pacs\/dicom-web\/studies: result 3 has no StudyInstanceUID \(0020000D\)$/);
  // An instance search scoped to a study and series may leave out the parent UIDs.
  const [inst] = parseDicomJson([{ '00080018': { vr: 'UI', Value: ['1.2.3.4'] } }], SRC);
  assert.deepEqual(
    (({ studyInstanceUID, seriesInstanceUID, sopInstanceUID }) => [studyInstanceUID, seriesInstanceUID, sopInstanceUID])(toInstance(inst, SRC, 1, { studyInstanceUID: '1', seriesInstanceUID: '1.2' })),
    ['1', '1.2', '1.2.3.4'],
  );
});
