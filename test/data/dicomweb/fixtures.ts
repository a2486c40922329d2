/** The DICOMweb test fixtures and their UIDs as read by Debian's pydicom 2.3 (see test/fixtures/dicomweb/SOURCE.md). */
import { fileURLToPath } from 'node:url';

/** Absolute path of a file in test/fixtures/dicomweb/. */
export const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/dicomweb/${name}`, import.meta.url));

/** One fixture file: its name and the UIDs and attributes the QIDO tests expect. */
export interface FixtureInstance {
  file: string;
  patientID: string;
  studyDate: string;
  modality: string;
  study: string;
  series: string;
  sop: string;
  sopClass: string;
  rows: number;
  columns: number;
}

/** Each fixture is its own patient, study and series with one instance. */
export const FIXTURES: Record<'ct' | 'mr' | 'nm', FixtureInstance> = {
  ct: {
    file: 'CT_small.dcm',
    patientID: '1CT1',
    studyDate: '20040119',
    modality: 'CT',
    study: '1.3.6.1.4.1.5962.1.2.1.20040119072730.12322',
    series: '1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322',
    sop: '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322',
    sopClass: '1.2.840.10008.5.1.4.1.1.2',
    rows: 128,
    columns: 128,
  },
  mr: {
    file: 'MR_small.dcm',
    patientID: '4MR1',
    studyDate: '20040826',
    modality: 'MR',
    study: '1.3.6.1.4.1.5962.1.2.4.20040826185059.5457',
    series: '1.3.6.1.4.1.5962.1.3.4.1.20040826185059.5457',
    sop: '1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457',
    sopClass: '1.2.840.10008.5.1.4.1.1.4',
    rows: 64,
    columns: 64,
  },
  nm: {
    file: 'JPEG2000.dcm',
    patientID: '8NM1',
    studyDate: '20040826',
    modality: 'NM',
    study: '1.3.6.1.4.1.5962.1.2.8.20040826185059.5457',
    series: '1.3.6.1.4.1.5962.1.3.8.1.20040826185059.5457',
    sop: '1.3.6.1.4.1.5962.1.1.8.1.3.20040826185059.5457',
    sopClass: '1.2.840.10008.5.1.4.1.1.7',
    rows: 1024,
    columns: 256,
  },
};

/** Absolute paths of all fixture files. */
export const FIXTURE_PATHS = Object.values(FIXTURES).map((f) => fixture(f.file));
