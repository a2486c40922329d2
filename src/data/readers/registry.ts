import { readFile } from 'node:fs/promises';
import { dicomReader } from './dicom/reader.js';
import { jpegReader } from './jpeg.js';
import { niftiReader } from './nifti.js';
import { npzReader } from './npz.js';
import { pngReader } from './png.js';
import { ImageReadError, type ImageReader, type ImageVolume, type ReadImageOptions } from './types.js';

// Built-in readers, one line each; the order is the order content is sniffed in.
const readers: ImageReader[] = [
  dicomReader,
  pngReader,
  jpegReader,
  npzReader,
  niftiReader,
];

/** Adds an image reader after the built-in ones; its name must be new. */
export function registerImageReader(reader: ImageReader): void {
  if (readers.some((r) => r.name === reader.name)) throw new Error(`image reader '${reader.name}' is already registered`);
  readers.push(reader);
}

/** The registered readers, in sniffing order. */
export function listImageReaders(): readonly ImageReader[] {
  return [...readers];
}

/**
 * The reader for a file: the first whose sniff recognises the content, else the one whose extension
 * the name ends with (so a damaged file reaches the reader that can say what is wrong with it).
 */
export function imageReaderFor(bytes: Uint8Array, path = ''): ImageReader | undefined {
  const lower = path.toLowerCase();
  return readers.find((r) => r.sniff(bytes, path)) ?? readers.find((r) => r.extensions.some((e) => lower.endsWith(e)));
}

/** The format (reader name) of a file from its first bytes, falling back to its name; undefined when no reader claims it. */
export function detectImageFormat(bytes: Uint8Array, path = ''): string | undefined {
  return imageReaderFor(bytes, path)?.name;
}

/** Decodes one image file with the reader its content (or name) picks; errors name the file. */
export async function readImageFile(path: string, options: ReadImageOptions = {}): Promise<ImageVolume> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new ImageReadError(`${path}: cannot read file (${e instanceof Error ? e.message : String(e)})`);
  }
  if (bytes.length === 0) throw new ImageReadError(`${path}: empty file`);
  const reader = imageReaderFor(bytes, path);
  if (reader === undefined) {
    throw new ImageReadError(`${path}: unknown image format (known readers: ${readers.map((r) => `${r.name} (${r.description}, ${r.extensions.join(' ')})`).join('; ')})`);
  }
  return reader.read(bytes, path, options);
}
