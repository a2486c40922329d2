import type { ImageReader } from '../types.js';
import { looksLikeDicom } from './parse.js';
import { parseDicom } from './read.js';

/** The DICOM reader: Part 10 ('DICM' at byte 128) or a bare group-0008 data set; .dcm/.dicom names claim damaged files. */
export const dicomReader: ImageReader = {
  name: 'dicom',
  description: 'DICOM',
  extensions: ['.dcm', '.dicom'],
  sniff: (bytes) => looksLikeDicom(bytes),
  read: (bytes, path) => parseDicom(bytes, path),
};
