import type { DcmjsDataset } from '../readers/dicom/dcmjs.js';
import { dictionaryVr, tagLabel } from './dicom-actions.js';

/** One identifying value found in the input, and where. */
export interface Needle {
  readonly value: string;
  /** Keyword or '(gggg,eeee)' of the input attribute that held it. */
  readonly from: string;
  /** Names and dates are never excused by a kept attribute holding the same text. */
  readonly strict: boolean;
}

const TEXT_VRS: ReadonlySet<string> = new Set(['PN', 'LO', 'SH', 'UI', 'DA', 'DT', 'TM', 'ST', 'LT', 'UT', 'UC', 'AE', 'UR', 'AS', 'CS']);
const STRICT_VRS: ReadonlySet<string> = new Set(['PN', 'DA', 'DT']);
/** Shorter values ('M', 'CT', '045Y') are too common to mean anything when found again. */
const MIN_NEEDLE = 4;
const DICOM_ROOT = '1.2.840.10008.';

/** Binary values are read as text up to this many bytes: names sit in headers, not deep in blobs (which are removed anyway). */
const BINARY_PREFIX = 2 ** 20;

function textOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (v instanceof ArrayBuffer) return [Buffer.from(v, 0, Math.min(v.byteLength, BINARY_PREFIX)).toString('latin1')];
  if (ArrayBuffer.isView(v)) return [Buffer.from(v.buffer, v.byteOffset, Math.min(v.byteLength, BINARY_PREFIX)).toString('latin1')];
  if (v !== null && typeof v === 'object') return Object.values(v as Record<string, unknown>).flatMap(textOf);
  return [];
}

function pieces(raw: string, vr: string): string[] {
  // Multiple values are split on '\', and binary text on NULs and control characters.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what separates text in binary values
  const values = raw.split(/[\\\x00-\x1f]+/).map((s) => s.trim());
  const out = [...values];
  if (vr === 'PN') for (const v of values) out.push(...v.split(/[\^=]/).map((s) => s.trim()));
  if (vr === 'DT') for (const v of values) out.push(v.slice(0, 8));
  return out.filter((s) => s.length >= MIN_NEEDLE && !s.startsWith(DICOM_ROOT));
}

/**
 * The identifying values of a data set, before de-identification: every text value of an element whose
 * dictionary VR or file VR is a text VR, of private and unknown elements, and of every sequence item.
 */
export function collectNeedles(ds: DcmjsDataset, out: Needle[] = []): Needle[] {
  for (const [tag, el] of Object.entries(ds)) {
    if (tag === '7FE00010' || tag === '7FE00008' || tag === '7FE00009') continue;
    if (el.vr === 'SQ') {
      for (const item of el.Value ?? []) if (item !== null && typeof item === 'object') collectNeedles(item as DcmjsDataset, out);
      continue;
    }
    const dictVr = dictionaryVr(tag);
    const textual = TEXT_VRS.has(el.vr) || (dictVr !== undefined && TEXT_VRS.has(dictVr)) || dictVr === undefined || el.vr === 'UN';
    if (!textual) continue;
    const vr = dictVr !== undefined && TEXT_VRS.has(dictVr) ? dictVr : el.vr;
    const strict = STRICT_VRS.has(vr) || STRICT_VRS.has(el.vr);
    for (const raw of (el.Value ?? []).flatMap(textOf)) {
      for (const value of pieces(raw, vr === 'PN' || el.vr === 'PN' ? 'PN' : vr)) out.push({ value, from: tagLabel(tag), strict });
    }
  }
  return out;
}

/** Every text value left in a cleaned data set (what the profile deliberately kept). */
export function keptValues(ds: DcmjsDataset, out: Set<string> = new Set()): Set<string> {
  for (const el of Object.values(ds)) {
    if (el.vr === 'SQ') {
      for (const item of el.Value ?? []) if (item !== null && typeof item === 'object') keptValues(item as DcmjsDataset, out);
      continue;
    }
    for (const v of el.Value ?? []) if (typeof v === 'string') for (const s of v.split('\\')) out.add(s.replace(/\0/g, '').trim());
  }
  return out;
}

/**
 * The needles that occur in `bytes` (as Latin-1 or UTF-8), except those the output is allowed to hold:
 * text inside `allowed` (the pseudonym, the method strings) and, for non-strict needles, text inside values the profile kept.
 */
export function survivingNeedles(bytes: Uint8Array, needles: readonly Needle[], kept: ReadonlySet<string>, allowed: readonly string[]): Needle[] {
  const hay = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seen = new Set<string>();
  const hits: Needle[] = [];
  for (const n of needles) {
    if (seen.has(n.value)) continue;
    seen.add(n.value);
    if (allowed.some((a) => a.includes(n.value))) continue;
    if (!n.strict && [...kept].some((k) => k.includes(n.value))) continue;
    if (hay.includes(Buffer.from(n.value, 'latin1')) || hay.includes(Buffer.from(n.value, 'utf8'))) hits.push(n);
  }
  return hits;
}
