import { createHmac } from 'node:crypto';
import { dcmjs, tagKeyword, type DcmjsDataset, type DcmjsDicomDict, type DcmjsElement } from '../readers/dicom/dcmjs.js';
import { hasPart10Preamble, parseDicomFile } from '../readers/dicom/parse.js';
import { DEID_ACTIONS, KEPT_UID_KEYWORDS } from './dicom-profile.js';

/** Options of deidentifyDicom. */
export interface DicomDeidOptions {
  /** The new PatientID and PatientName. */
  readonly pseudonym: string;
  /** Days added to every date (DA, and the date part of DT); the caller keeps it fixed per patient. */
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

const DICOM_ROOT = '1.2.840.10008.';
const DEFLATED = '1.2.840.10008.1.2.1.99';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const METHOD = 'PS3.15 E.1 Basic Application Level Confidentiality Profile; Retain Longitudinal Temporal Information with Modified Dates; medtl';

/** A new UID `2.25.<decimal>` from the HMAC-SHA256 of `uid` under `key`: the same pair always gives the same UID. */
export function remapUid(uid: string, key: Uint8Array | string): string {
  const digest = createHmac('sha256', key).update(uid.trim()).digest();
  // 2.25 takes a 128-bit integer (PS3.5 B.2): the first 16 bytes of the HMAC.
  return `2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`).toString(10)}`;
}

function shiftYmd(ymd: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(ymd);
  if (m === null) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + days * 86_400_000;
  const d = new Date(t);
  if (Number.isNaN(t) || d.getUTCFullYear() < 0 || d.getUTCFullYear() > 9999) return undefined;
  return `${String(d.getUTCFullYear()).padStart(4, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** Shifts a DA value (or a DA range 'A-B') by whole days; undefined where it is not a full YYYYMMDD date. */
export function shiftDicomDate(value: string, days: number): string | undefined {
  const parts = value.trim().split('-');
  if (parts.length > 2) return undefined;
  const out = parts.map((p) => (p === '' ? '' : shiftYmd(p, days)));
  return out.some((p) => p === undefined) ? undefined : out.join('-');
}

/** Shifts the date part of a DT value; undefined where it has no full YYYYMMDD date. */
export function shiftDicomDateTime(value: string, days: number): string | undefined {
  const v = value.trim();
  const date = shiftYmd(v.slice(0, 8), days);
  return date === undefined ? undefined : date + v.slice(8);
}

function tagLabel(tag: string): string {
  return tagKeyword(tag) ?? `(${tag.slice(0, 4)},${tag.slice(4, 8)})`;
}

function setValue(el: DcmjsElement, values: unknown[]): void {
  el.Value = values;
  delete el._rawValue;
}

interface Context {
  readonly options: DicomDeidOptions;
  readonly removed: Set<string>;
}

function isRemovedGroup(tag: string): boolean {
  const group = parseInt(tag.slice(0, 4), 16);
  const element = tag.slice(4, 8);
  // Private groups are odd; curves (50xx) and overlay data/comments (60xx,3000/4000) are X in Table E.1-1.
  if (group % 2 === 1) return true;
  if ((group & 0xff00) === 0x5000) return true;
  return (group & 0xff00) === 0x6000 && (element === '3000' || element === '4000');
}

function cleanStrings(el: DcmjsElement, shift: (s: string) => string | undefined): boolean {
  const values = (el.Value ?? []).map((v) => (typeof v === 'string' && v !== '' ? shift(v) : v));
  if (values.some((v) => v === undefined)) return false;
  setValue(el, values);
  return true;
}

function cleanDataset(ds: DcmjsDataset, ctx: Context): void {
  const { options, removed } = ctx;
  for (const tag of Object.keys(ds)) {
    const el = ds[tag];
    const keyword = tagKeyword(tag);
    if (isRemovedGroup(tag)) {
      delete ds[tag];
      removed.add(tagLabel(tag));
      continue;
    }
    const action = keyword === undefined ? undefined : DEID_ACTIONS.get(keyword);
    // A UN value cannot be checked against the profile (and dcmjs cannot write some it has read): drop it.
    if (action === 'remove' || el.vr === 'UN') {
      delete ds[tag];
      removed.add(tagLabel(tag));
    } else if (action === 'blank') {
      setValue(el, []);
      removed.add(tagLabel(tag));
    } else if (action === 'pseudonym') {
      setValue(el, [el.vr === 'PN' ? { Alphabetic: options.pseudonym } : options.pseudonym]);
      removed.add(tagLabel(tag));
    } else if (el.vr === 'UI') {
      if (keyword !== undefined && KEPT_UID_KEYWORDS.has(keyword)) continue;
      const values = (el.Value ?? []).map((v) =>
        typeof v === 'string' && v !== '' && !v.startsWith(DICOM_ROOT) ? remapUid(v, options.key) : v,
      );
      setValue(el, values);
    } else if (el.vr === 'DA' || el.vr === 'DT') {
      const shift = el.vr === 'DA' ? shiftDicomDate : shiftDicomDateTime;
      // A partial date (YYYY, YYYYMM) cannot be shifted by days without leaking the original: drop it.
      if (!cleanStrings(el, (s) => shift(s, options.dateShiftDays))) {
        delete ds[tag];
        removed.add(tagLabel(tag));
      }
    } else if (el.vr === 'PN') {
      // Stricter than Table E.1-1: a person name the table does not list is blanked too.
      setValue(el, []);
      removed.add(tagLabel(tag));
    } else if (el.vr === 'SQ') {
      for (const item of el.Value ?? []) cleanDataset(item as DcmjsDataset, ctx);
    }
  }
}

function put(ds: DcmjsDataset, tag: string, vr: string, values: unknown[]): void {
  ds[tag] = { vr, Value: values };
}

function code(value: string, meaning: string): DcmjsDataset {
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
  if (!Number.isInteger(options.dateShiftDays)) {
    throw new DicomDeidError(`${source}: dateShiftDays must be a whole number of days, got ${options.dateShiftDays}`);
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
  const ctx: Context = { options, removed: new Set() };
  cleanDataset(file.meta, ctx);
  cleanDataset(file.dict, ctx);
  const ds = file.dict;
  if (ds['00100010'] === undefined) put(ds, '00100010', 'PN', [{ Alphabetic: options.pseudonym }]);
  if (ds['00100020'] === undefined) put(ds, '00100020', 'LO', [options.pseudonym]);
  put(ds, '00120062', 'CS', ['YES']);
  put(ds, '00120063', 'LO', [METHOD]);
  put(ds, '00120064', 'SQ', [code('113100', 'Basic Application Confidentiality Profile'), code('113107', 'Retain Longitudinal Temporal Information Modified Dates Option')]);
  put(ds, '00280303', 'CS', ['MODIFIED']);
  // dcmjs reads a deflated data set but writes it uncompressed: declare what is written.
  const ts = file.meta['00020010'];
  if (ts?.Value?.[0] === DEFLATED) setValue(ts, [EXPLICIT_LE]);
  file.dict = sortedDataset(ds);
  let out: ArrayBuffer;
  try {
    out = file.write();
  } catch (e) {
    throw new DicomDeidError(`${source}: cannot write the de-identified file (${e instanceof Error ? e.message : String(e)})`);
  }
  return { bytes: new Uint8Array(out), removed: [...ctx.removed] };
}
