import { dcmjs, type DcmjsDataset, type DcmjsDicomDict } from '../readers/dicom/dcmjs.js';
import { hasPart10Preamble, parseDicomFile } from '../readers/dicom/parse.js';
import { maxDecodedBytes } from '../readers/limits.js';
import { cleanDataset, DUMMY_TEXT, type CleanContext } from './dicom-actions.js';
import { collectNeedles, keptValues, survivingNeedles } from './dicom-rescan.js';

export { remapUid, shiftDicomDate, shiftDicomDateTime } from './dicom-actions.js';

/** Options of deidentifyDicom. */
export interface DicomDeidOptions {
  /** The new PatientID and PatientName. */
  readonly pseudonym: string;
  /** Days added to every kept date (DA, and the date part of DT), not 0; the caller keeps it fixed per patient. */
  readonly dateShiftDays: number;
  /** Secret for the UID remapping; never written to the output. */
  readonly key: Uint8Array | string;
  /** File name for error messages. */
  readonly source?: string;
}

/** The de-identified Part 10 file and what was taken out of it. */
export interface DicomDeidResult {
  readonly bytes: Uint8Array;
  /** Keywords (or '(gggg,eeee)' for private and unknown tags) of the attributes removed or blanked, each once. */
  readonly removed: string[];
}

/** Thrown when a file cannot be de-identified; the message starts with the file name. */
export class DicomDeidError extends Error {
  override readonly name = 'DicomDeidError';
}

const DEFLATED = '1.2.840.10008.1.2.1.99';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const METHOD = 'PS3.15 E.1 Basic Application Level Confidentiality Profile; Retain Longitudinal Temporal Information with Modified Dates; medtl';
const CODE_MEANINGS = ['Basic Application Confidentiality Profile', 'Retain Longitudinal Temporal Information Modified Dates Option'];

function put(ds: DcmjsDataset, tag: string, vr: string, values: unknown[]): void {
  ds[tag] = { vr, Value: values };
}

function code(value: string, meaning: string | undefined): DcmjsDataset {
  return {
    '00080100': { vr: 'SH', Value: [value] },
    '00080102': { vr: 'SH', Value: ['DCM'] },
    '00080104': { vr: 'LO', Value: [meaning] },
  };
}

function sortedDataset(ds: DcmjsDataset): DcmjsDataset {
  return Object.fromEntries(Object.entries(ds).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * De-identifies one DICOM Part 10 file per PS3.15 Annex E (Basic Application Level Confidentiality
 * Profile, Retain Longitudinal Temporal Information with Modified Dates Option); see docs/data.md.
 */
export function deidentifyDicom(input: Uint8Array, options: DicomDeidOptions): DicomDeidResult {
  const source = options.source ?? '<buffer>';
  if (options.pseudonym.trim() === '') throw new DicomDeidError(`${source}: de-identification needs a non-empty pseudonym`);
  if (options.key.length === 0) throw new DicomDeidError(`${source}: de-identification needs a non-empty key`);
  if (!Number.isInteger(options.dateShiftDays) || options.dateShiftDays === 0) {
    // A zero shift would keep every original date, which the re-scan then refuses file by file.
    throw new DicomDeidError(`${source}: dateShiftDays must be a non-zero whole number of days, got ${options.dateShiftDays}`);
  }
  if (!hasPart10Preamble(input)) throw new DicomDeidError(`${source}: not a DICOM Part 10 file (no 'DICM' at byte 128)`);
  // dcmjs accepts truncated files and loops on some malformed ones; dicom-parser's stricter parse screens them first.
  try {
    parseDicomFile(input, source);
  } catch (e) {
    throw new DicomDeidError(e instanceof Error ? e.message : String(e));
  }
  let file: DcmjsDicomDict;
  try {
    const buf = input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength) as ArrayBuffer;
    file = dcmjs.data.DicomMessage.readFile(buf);
  } catch (e) {
    throw new DicomDeidError(`${source}: cannot parse as a DICOM Part 10 file (${e instanceof Error ? e.message : String(e)})`);
  }
  // dcmjs parses some damaged files differently from dicom-parser and then makes values larger than the file.
  const bound = file.meta['00020010']?.Value?.[0] === DEFLATED ? maxDecodedBytes() : input.length;
  checkValueSizes(file.dict, bound, source);
  const needles = [...collectNeedles(file.meta), ...collectNeedles(file.dict)];
  const ctx: CleanContext = { options, removed: new Set() };
  cleanDataset(file.meta, ctx);
  cleanDataset(file.dict, ctx);
  const ds = file.dict;
  if (ds['00100010'] === undefined) put(ds, '00100010', 'PN', [{ Alphabetic: options.pseudonym }]);
  if (ds['00100020'] === undefined) put(ds, '00100020', 'LO', [options.pseudonym]);
  put(ds, '00120062', 'CS', ['YES']);
  put(ds, '00120063', 'LO', [METHOD]);
  put(ds, '00120064', 'SQ', [code('113100', CODE_MEANINGS[0]), code('113107', CODE_MEANINGS[1])]);
  put(ds, '00280303', 'CS', ['MODIFIED']);
  // dcmjs reads a deflated data set but writes it uncompressed: declare what is written.
  const ts = file.meta['00020010'];
  if (ts?.Value?.[0] === DEFLATED) {
    ts.Value = [EXPLICIT_LE];
    delete ts._rawValue;
  }
  file.dict = sortedDataset(ds);
  const out = writeFile(file, source);
  // Fail closed: the written file (pixel data aside: burned-in text is out of the profile's reach) must hold
  // none of the input's identifying values, or nothing is returned.
  const pixels = file.dict['7FE00010'];
  delete file.dict['7FE00010'];
  const withoutPixels = writeFile(file, source);
  if (pixels !== undefined) file.dict['7FE00010'] = pixels;
  const kept = new Set([...keptValues(file.meta), ...keptValues(file.dict)]);
  const hits = survivingNeedles(new Uint8Array(withoutPixels), needles, kept, [options.pseudonym, METHOD, DUMMY_TEXT, ...CODE_MEANINGS]);
  if (hits.length > 0) {
    const from = [...new Set(hits.map((h) => h.from))].slice(0, 5).join(', ');
    throw new DicomDeidError(`${source}: de-identification refused: ${hits.length} identifying value(s) from ${from} would remain in the output`);
  }
  return { bytes: new Uint8Array(out), removed: [...ctx.removed] };
}

function checkValueSizes(ds: DcmjsDataset, bound: number, source: string): void {
  for (const [tag, el] of Object.entries(ds)) {
    for (const v of el.Value ?? []) {
      if (el.vr === 'SQ' && v !== null && typeof v === 'object') checkValueSizes(v as DcmjsDataset, bound, source);
      const size = v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? v.byteLength : typeof v === 'string' ? v.length : 0;
      if (size > bound) {
        throw new DicomDeidError(`${source}: element (${tag.slice(0, 4)},${tag.slice(4, 8)}) reads as ${size} bytes, more than the ${bound} the file holds`);
      }
    }
  }
}

function writeFile(file: DcmjsDicomDict, source: string): ArrayBuffer {
  try {
    return file.write();
  } catch (e) {
    throw new DicomDeidError(`${source}: cannot write the de-identified file (${e instanceof Error ? e.message : String(e)})`);
  }
}
