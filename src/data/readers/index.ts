import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseDicom } from './dicom/read.js';
import { hasPart10Preamble, looksLikeDicom } from './dicom/parse.js';
import { parseNifti } from './nifti.js';
import { npzVolume, parseNpz } from './npz.js';
import { parseRaster } from './raster.js';
import { ImageReadError, type ImageFormat, type ImageVolume } from './types.js';

export * from './types.js';
export * from './nifti.js';
export * from './raster.js';
export * from './npz.js';
export * from './stats.js';
export { parseDicom, dicomMetadata } from './dicom/read.js';
export { readDicomSeries, type DicomSeries, type DicomSeriesResult } from './dicom/series.js';
export { SUPPORTED_TRANSFER_SYNTAXES, transferSyntaxName, type TransferSyntaxInfo } from './dicom/syntaxes.js';

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  return bytes.length >= at + magic.length && magic.every((b, i) => bytes[at + i] === b);
}

/**
 * The format of a file from its first bytes, falling back to the extension: 'DICM' at byte 128 → DICOM,
 * PNG and JPEG signatures, zip ('PK') → npz, gzip or sizeof_hdr 348 with 'n+1' → NIfTI, a bare group-0008
 * data set → DICOM. Unknown content gives undefined.
 */
export function detectImageFormat(bytes: Uint8Array, path = ''): ImageFormat | undefined {
  if (hasPart10Preamble(bytes)) return 'dicom';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x50, 0x4b])) return 'npz';
  if (startsWith(bytes, [0x6e, 0x2b, 0x31, 0x00], 344)) return 'nifti';
  const lower = path.toLowerCase();
  // A gzip stream is NIfTI only by name: .nii.gz is the one compressed kind read here.
  if (startsWith(bytes, [0x1f, 0x8b])) return lower.endsWith('.nii.gz') ? 'nifti' : undefined;
  // A damaged file keeps its name: let the matching reader say what is wrong with it.
  if (lower.endsWith('.nii') || lower.endsWith('.nii.gz')) return 'nifti';
  if (looksLikeDicom(bytes)) return 'dicom';
  const ext = extname(lower);
  if (ext === '.dcm' || ext === '.dicom') return 'dicom';
  if (ext === '.png') return 'png';
  if (ext === '.jpg' || ext === '.jpeg') return 'jpeg';
  if (ext === '.npz') return 'npz';
  return undefined;
}

export interface ReadImageOptions {
  /** For .npz: which array to load (default: see defaultNpzArray). */
  readonly array?: string;
}

/** Decodes one image file of any supported kind (DICOM, NIfTI, PNG, JPEG, MedMNIST .npz); errors name the file. */
export async function readImageFile(path: string, options: ReadImageOptions = {}): Promise<ImageVolume> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new ImageReadError(`${path}: cannot read file (${e instanceof Error ? e.message : String(e)})`);
  }
  if (bytes.length === 0) throw new ImageReadError(`${path}: empty file`);
  const format = detectImageFormat(bytes, path);
  switch (format) {
    case 'nifti':
      return parseNifti(bytes, path);
    case 'png':
    case 'jpeg':
      return parseRaster(bytes, format, path);
    case 'npz':
      return npzVolume(parseNpz(bytes, path), options.array);
    case 'dicom':
      return parseDicom(bytes, path);
    default:
      throw new ImageReadError(`${path}: unknown image format (supported: DICOM, NIfTI-1 .nii/.nii.gz, PNG, JPEG, MedMNIST .npz)`);
  }
}
