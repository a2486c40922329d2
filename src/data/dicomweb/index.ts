/** DICOMweb (QIDO-RS search, WADO-RS retrieve) and resumable study pulls into a folder of Part 10 files. */
export {
  DicomWebError,
  dicomWebGet,
  dicomWebUrl,
  retrieveInstance,
  retrieveParts,
  searchAll,
  searchInstances,
  searchSeries,
  searchStudies,
} from './client.js';
export type { DicomWebAuth, DicomWebEndpoint, QidoQuery, RetrieveOptions } from './client.js';
export { DicomJsonError, TAGS, numberValue, parseDicomJson, stringValue, stringValues } from './dicom-json.js';
export type { DicomJsonDataset, DicomKeyword, InstanceRecord, SeriesRecord, StudyRecord } from './dicom-json.js';
export { MultipartError, multipartBoundary, parseMultipart, readMultipart } from './multipart.js';
export type { MultipartPart } from './multipart.js';
export { PULL_LEDGER, pullStudies } from './pull.js';
export type { PullFailure, PullOptions, PullProgress, PullQuery, PullResult, PulledInstance } from './pull.js';
export { dicomWebAuthFromEnv, dicomWebDownloadDir, listDicomWebImages } from './image-source.js';
export type { DicomWebSourceOptions } from './image-source.js';
