/**
 * The DICOM JSON model (PS3.18 Annex F) as QIDO-RS returns it, and the typed study, series and
 * instance records medtl reads out of it.
 */
import { z } from 'zod';

const element = z.object({
  vr: z.string(),
  Value: z.array(z.unknown()).optional(),
  BulkDataURI: z.string().optional(),
  InlineBinary: z.string().optional(),
});
const dataset = z.record(z.string().regex(/^[0-9A-Fa-f]{8}$/), element);
const datasetList = z.array(dataset);

/** One DICOM JSON data set: tag (8 hex digits) → element. */
export type DicomJsonDataset = z.infer<typeof dataset>;

/** Tags of the attributes medtl reads from QIDO-RS results, by DICOM keyword. */
export const TAGS = {
  SpecificCharacterSet: '00080005',
  StudyDate: '00080020',
  StudyTime: '00080030',
  AccessionNumber: '00080050',
  Modality: '00080060',
  ModalitiesInStudy: '00080061',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  RetrieveURL: '00081190',
  PatientName: '00100010',
  PatientID: '00100020',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  StudyID: '00200010',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
  Rows: '00280010',
  Columns: '00280011',
} as const;

/** A DICOM keyword medtl knows the tag of. */
export type DicomKeyword = keyof typeof TAGS;

/** Thrown when a QIDO-RS response is not valid DICOM JSON or lacks a required UID; names the URL. */
export class DicomJsonError extends Error {
  override readonly name = 'DicomJsonError';
}

/** Validates a parsed QIDO-RS body as a list of DICOM JSON data sets, naming `source` and the failing path. */
export function parseDicomJson(json: unknown, source: string): DicomJsonDataset[] {
  const r = datasetList.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    const why = issue.code === 'invalid_key' ? 'the key is not a tag of 8 hex digits' : issue.message;
    throw new DicomJsonError(`${source}: not DICOM JSON at ${issue.path.map(String).join('.') || '(root)'}: ${why}`);
  }
  // Tags are case-insensitive hex; upper-case them so lookups by TAGS work whatever the server sent.
  return r.data.map((ds) => Object.fromEntries(Object.entries(ds).map(([k, v]) => [k.toUpperCase(), v])));
}

/** The values of one attribute as strings (a person name as its Alphabetic form); [] when absent or empty. */
export function stringValues(ds: DicomJsonDataset, keyword: DicomKeyword): string[] {
  const values = ds[TAGS[keyword]]?.Value ?? [];
  return values.flatMap((v) => {
    if (v === null || v === undefined) return [];
    if (typeof v === 'string') return [v];
    if (typeof v === 'number') return [String(v)];
    if (typeof v === 'object' && 'Alphabetic' in v && typeof v.Alphabetic === 'string') return [v.Alphabetic];
    return [];
  });
}

/** The first value of an attribute as a string, or undefined. */
export function stringValue(ds: DicomJsonDataset, keyword: DicomKeyword): string | undefined {
  return stringValues(ds, keyword)[0];
}

/** The first value of a numeric attribute (IS, DS, US, UL...), or undefined when absent or not a number. */
export function numberValue(ds: DicomJsonDataset, keyword: DicomKeyword): number | undefined {
  const v = ds[TAGS[keyword]]?.Value?.[0];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function requiredUid(ds: DicomJsonDataset, keyword: DicomKeyword, source: string, index: number): string {
  const v = stringValue(ds, keyword);
  if (!v) throw new DicomJsonError(`${source}: result ${index} has no ${keyword} (${TAGS[keyword]})`);
  return v;
}

/** A study as found by QIDO-RS. */
export interface StudyRecord {
  readonly studyInstanceUID: string;
  readonly patientID?: string;
  readonly patientName?: string;
  readonly studyDate?: string;
  readonly studyTime?: string;
  readonly accessionNumber?: string;
  readonly studyDescription?: string;
  readonly modalitiesInStudy: string[];
  readonly numberOfSeries?: number;
  readonly numberOfInstances?: number;
  /** The full data set, for attributes beyond the ones above. */
  readonly dataset: DicomJsonDataset;
}

/** A series as found by QIDO-RS. */
export interface SeriesRecord {
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly modality?: string;
  readonly seriesNumber?: number;
  readonly seriesDescription?: string;
  readonly numberOfInstances?: number;
  readonly dataset: DicomJsonDataset;
}

/** An instance as found by QIDO-RS. */
export interface InstanceRecord {
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string;
  readonly sopClassUID?: string;
  readonly instanceNumber?: number;
  readonly rows?: number;
  readonly columns?: number;
  readonly dataset: DicomJsonDataset;
}

/** Reads a study record; `index` (1-based) and `source` name a result lacking its Study Instance UID. */
export function toStudy(ds: DicomJsonDataset, source: string, index: number): StudyRecord {
  return {
    studyInstanceUID: requiredUid(ds, 'StudyInstanceUID', source, index),
    patientID: stringValue(ds, 'PatientID'),
    patientName: stringValue(ds, 'PatientName'),
    studyDate: stringValue(ds, 'StudyDate'),
    studyTime: stringValue(ds, 'StudyTime'),
    accessionNumber: stringValue(ds, 'AccessionNumber'),
    studyDescription: stringValue(ds, 'StudyDescription'),
    modalitiesInStudy: stringValues(ds, 'ModalitiesInStudy'),
    numberOfSeries: numberValue(ds, 'NumberOfStudyRelatedSeries'),
    numberOfInstances: numberValue(ds, 'NumberOfStudyRelatedInstances'),
    dataset: ds,
  };
}

/** Reads a series record; a missing study UID is taken from `studyInstanceUID` when the query was scoped to a study. */
export function toSeries(ds: DicomJsonDataset, source: string, index: number, studyInstanceUID?: string): SeriesRecord {
  return {
    studyInstanceUID: stringValue(ds, 'StudyInstanceUID') ?? studyInstanceUID ?? requiredUid(ds, 'StudyInstanceUID', source, index),
    seriesInstanceUID: requiredUid(ds, 'SeriesInstanceUID', source, index),
    modality: stringValue(ds, 'Modality'),
    seriesNumber: numberValue(ds, 'SeriesNumber'),
    seriesDescription: stringValue(ds, 'SeriesDescription'),
    numberOfInstances: numberValue(ds, 'NumberOfSeriesRelatedInstances'),
    dataset: ds,
  };
}

/** Reads an instance record; missing parent UIDs are taken from the query scope when given. */
export function toInstance(
  ds: DicomJsonDataset,
  source: string,
  index: number,
  scope: { studyInstanceUID?: string; seriesInstanceUID?: string } = {},
): InstanceRecord {
  return {
    studyInstanceUID: stringValue(ds, 'StudyInstanceUID') ?? scope.studyInstanceUID ?? requiredUid(ds, 'StudyInstanceUID', source, index),
    seriesInstanceUID: stringValue(ds, 'SeriesInstanceUID') ?? scope.seriesInstanceUID ?? requiredUid(ds, 'SeriesInstanceUID', source, index),
    sopInstanceUID: requiredUid(ds, 'SOPInstanceUID', source, index),
    sopClassUID: stringValue(ds, 'SOPClassUID'),
    instanceNumber: numberValue(ds, 'InstanceNumber'),
    rows: numberValue(ds, 'Rows'),
    columns: numberValue(ds, 'Columns'),
    dataset: ds,
  };
}
