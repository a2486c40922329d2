import dicomParser, { type DataSet } from 'dicom-parser';
import { inflateRawSync } from 'node:zlib';
import { DecodeLimitError, inflateLimitMessage, isOutputLimitError, maxDecodedBytes } from '../limits.js';
import { ImageReadError } from '../types.js';

/** Transfer syntax UIDs this module refers to by name. */
export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  deflatedLE: '1.2.840.10008.1.2.1.99',
  explicitBE: '1.2.840.10008.1.2.2',
} as const;

/** A parsed DICOM data set with the transfer syntax its body was read with. */
export interface ParsedDicom {
  readonly dataSet: DataSet;
  readonly transferSyntaxUid: string;
  /** How the transfer syntax was found: from the file meta, or guessed from the first data element. */
  readonly transferSyntaxFrom: 'meta' | 'guessed';
}

/** True where 'DICM' sits at byte 128 (a Part 10 preamble). */
export function hasPart10Preamble(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

function isVr(a: number | undefined, b: number | undefined): boolean {
  return a !== undefined && b !== undefined && a >= 0x41 && a <= 0x5a && b >= 0x41 && b <= 0x5a;
}

/**
 * The transfer syntax of a bare data set (no preamble, no meta), from its first element: group 0008
 * little- or big-endian, with or without a two-letter VR. Undefined where it does not look like DICOM.
 */
export function guessBareSyntax(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  const explicit = isVr(bytes[4], bytes[5]);
  if (bytes[0] === 0x08 && bytes[1] === 0x00) return explicit ? TS.explicitLE : TS.implicitLE;
  if (bytes[0] === 0x00 && bytes[1] === 0x08 && explicit) return TS.explicitBE;
  return undefined;
}

/** True for content the DICOM reader claims: a Part 10 preamble or a bare group-0008 data set. */
export function looksLikeDicom(bytes: Uint8Array): boolean {
  return hasPart10Preamble(bytes) || guessBareSyntax(bytes) !== undefined;
}

// dicom-parser hands the inflater the whole file and the deflated body's offset; it wants the inflated body back in place.
function inflater(arr: Uint8Array, position: number): Uint8Array {
  // Stops at the decoded-size cap instead of inflating a bomb in full.
  const body = inflateRawSync(arr.subarray(position), { maxOutputLength: maxDecodedBytes() });
  const out = new Uint8Array(position + body.length);
  out.set(arr.subarray(0, position));
  out.set(body, position);
  return out;
}

function tagName(tag: string): string {
  return `(${tag.slice(1, 5).toUpperCase()},${tag.slice(5, 9).toUpperCase()})`;
}

/** dicom-parser throws strings, Errors, or {exception, dataSet}; this names what it says plus the last tag read. */
function describeParseError(e: unknown): string {
  const err = e as { exception?: unknown; dataSet?: DataSet; message?: unknown };
  const inner = err.exception instanceof Error ? err.exception : e instanceof Error ? e : undefined;
  // A stack overflow is how dicom-parser's recursion ends on sequences nested thousands deep.
  const overflow = inner instanceof RangeError && /call stack/i.test(inner.message);
  const raw = overflow ? 'sequences nested too deeply to parse (stack overflow)'
    : typeof e === 'string' ? e : typeof err.exception === 'string' ? err.exception : inner !== undefined ? inner.message : String(err.message ?? e);
  const message = raw.replace(/^dicomParser[.:]\w+: /, '');
  const tags = err.dataSet === undefined ? [] : Object.keys(err.dataSet.elements);
  const last = tags.length > 0 ? tags[tags.length - 1] : undefined;
  return last === undefined ? message : `${message}, after tag ${tagName(last)}`;
}

/**
 * Checks every element (sequence items included) against the bytes that hold it: dicom-parser accepts an
 * implicit-VR length past the end of the file, and a reader or dcmjs would then allocate that much.
 */
export function checkElementLengths(ds: DataSet, source: string): void {
  const size = ds.byteArray.length;
  for (const [tag, el] of Object.entries(ds.elements)) {
    // 0xFFFFFFFF is an undefined length whose real extent dicom-parser has already found by its delimiter.
    if (el.hadUndefinedLength !== true && el.dataOffset + el.length > size) {
      const left = Math.max(0, size - el.dataOffset);
      throw new ImageReadError(`${source}: element ${tagName(tag)} at byte ${el.dataOffset} declares a length of ${el.length} bytes but only ${left} remain in the file`);
    }
    for (const item of el.items ?? []) if (item.dataSet !== undefined) checkElementLengths(item.dataSet, source);
  }
}

function endOfMeta(meta: DataSet): number {
  let end = 132;
  for (const el of Object.values(meta.elements)) end = Math.max(end, el.dataOffset + el.length);
  return end;
}

function checked(parsed: ParsedDicom, source: string): ParsedDicom {
  checkElementLengths(parsed.dataSet, source);
  return parsed;
}

/**
 * Parses a DICOM file (Part 10, or a bare data set without preamble/meta) with dicom-parser.
 * Truncated or malformed files throw ImageReadError naming `source`, the reason and the last tag read.
 */
export function parseDicomFile(bytes: Uint8Array, source: string): ParsedDicom {
  try {
    if (!hasPart10Preamble(bytes)) {
      const guessed = guessBareSyntax(bytes);
      if (guessed === undefined) {
        throw new ImageReadError(`${source}: not a DICOM file (no 'DICM' at byte 128 and no group 0008 element at the start)`);
      }
      return checked({ dataSet: dicomParser.parseDicom(bytes, { TransferSyntaxUID: guessed }), transferSyntaxUid: guessed, transferSyntaxFrom: 'guessed' }, source);
    }
    const meta = dicomParser.readPart10Header(bytes);
    const declared = meta.string('x00020010');
    if (declared !== undefined && declared !== '') {
      const uid = declared.replace(/\0/g, '').trim();
      try {
        const dataSet = dicomParser.parseDicom(bytes, { inflater } as unknown as dicomParser.ParseDicomOptions);
        return checked({ dataSet, transferSyntaxUid: uid, transferSyntaxFrom: 'meta' }, source);
      } catch (e) {
        if (uid !== TS.implicitLE && guessBareSyntax(bytes.subarray(endOfMeta(meta))) === TS.implicitLE) {
          throw new ImageReadError(`${source}: the data set is encoded as Implicit VR Little Endian but Transfer Syntax UID (0002,0010) declares ${uid}; not decoded`);
        }
        throw e;
      }
    }
    // A meta without (0002,0010): read the body as a bare data set and keep the meta elements alongside.
    const body = bytes.subarray(endOfMeta(meta));
    const guessed = guessBareSyntax(body);
    if (guessed === undefined) {
      throw new ImageReadError(`${source}: file meta has no Transfer Syntax UID (0002,0010) and the data set's first element does not reveal it`);
    }
    const dataSet = dicomParser.parseDicom(body, { TransferSyntaxUID: guessed });
    return checked({ dataSet, transferSyntaxUid: guessed, transferSyntaxFrom: 'guessed' }, source);
  } catch (e) {
    if (e instanceof ImageReadError) throw e;
    if (isOutputLimitError(e) || isOutputLimitError((e as { exception?: unknown }).exception)) {
      throw new DecodeLimitError(inflateLimitMessage(source, 'the deflated data set'));
    }
    throw new ImageReadError(`${source}: malformed or truncated DICOM: ${describeParseError(e)}`);
  }
}
