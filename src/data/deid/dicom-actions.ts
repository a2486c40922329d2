import { createHmac } from 'node:crypto';
import { dcmjs, type DcmjsDataset, type DcmjsElement } from '../readers/dicom/dcmjs.js';
import { PROFILE_TABLE, SAFE_KEYWORDS, type ProfileAction } from './dicom-profile.js';

/** What the actions need from the caller. */
export interface ActionOptions {
  /** The new PatientID and PatientName. */
  readonly pseudonym: string;
  /** Days added to every kept date. */
  readonly dateShiftDays: number;
  /** Secret for the UID remapping. */
  readonly key: Uint8Array | string;
}

const DICOM_ROOT = '1.2.840.10008.';
/** The dummy value of action D for text attributes. */
export const DUMMY_TEXT = 'ANONYMIZED';
const PSEUDONYM_TAGS: ReadonlySet<string> = new Set(['00100010', '00100020']);
// Z in the table; the temporal option would keep and shift it, but a birth date shifted by a few days still dates the patient.
const BLANK_DATES: ReadonlySet<string> = new Set(['00100030']);
const TM = /^[0-9.: ]*$/;

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

/** Shifts the date part of a DT value; undefined where it has no full YYYYMMDD date or the rest is not a DT tail. */
export function shiftDicomDateTime(value: string, days: number): string | undefined {
  const v = value.trim();
  if (!/^\d{8}[0-9.+-]*$/.test(v)) return undefined;
  const date = shiftYmd(v.slice(0, 8), days);
  return date === undefined ? undefined : date + v.slice(8);
}

/** The dictionary VR of a tag ('00100010' → 'PN'); undefined for private and unknown tags. */
export function dictionaryVr(tag: string): string | undefined {
  return dcmjs.data.DicomMetaDictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4, 8)})`]?.vr;
}

/** True where the file's VR is one the dictionary allows ('ox' is OB or OW, 'xs' is US or SS). */
export function vrAgrees(dictVr: string, fileVr: string): boolean {
  if (dictVr === fileVr) return true;
  if (dictVr === 'ox') return fileVr === 'OB' || fileVr === 'OW';
  if (dictVr === 'xs') return fileVr === 'US' || fileVr === 'SS';
  return dictVr.split(/ or /).includes(fileVr);
}

/** The keyword, or '(gggg,eeee)' for private and unknown tags. */
export function tagLabel(tag: string): string {
  return dcmjs.data.DicomMetaDictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4, 8)})`]?.name ?? `(${tag.slice(0, 4)},${tag.slice(4, 8)})`;
}

/** Table rows that cover a repeating group: curves (50xx) and overlay data/comments (60xx,3000/4000) are X. */
function repeatingGroupAction(tag: string): ProfileAction | undefined {
  const group = parseInt(tag.slice(0, 4), 16);
  const element = tag.slice(4, 8);
  if ((group & 0xff00) === 0x5000) return 'X';
  if ((group & 0xff00) === 0x6000 && (element === '3000' || element === '4000')) return 'X';
  return undefined;
}

/** Table action of a tag, 'K' for an attribute on the safe list, undefined (remove) for everything else. */
export function actionOf(tag: string): ProfileAction | undefined {
  if (parseInt(tag.slice(0, 4), 16) % 2 === 1) return undefined;
  const row = PROFILE_TABLE.get(tag) ?? (repeatingGroupAction(tag) === undefined ? undefined : { action: repeatingGroupAction(tag) as ProfileAction });
  if (row !== undefined) return row.action;
  const keyword = dcmjs.data.DicomMetaDictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4, 8)})`]?.name;
  return keyword !== undefined && SAFE_KEYWORDS.has(keyword) ? 'K' : undefined;
}

/** Options plus the running list of removed attribute labels. */
export interface CleanContext {
  readonly options: ActionOptions;
  readonly removed: Set<string>;
}

function setValue(el: DcmjsElement, vr: string, values: unknown[]): void {
  el.vr = vr;
  el.Value = values;
  delete el._rawValue;
}

function stringValues(el: DcmjsElement): string[] | undefined {
  const out: string[] = [];
  for (const v of el.Value ?? []) {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'number') out.push(String(v));
    else return undefined;
  }
  return out;
}

function concreteVr(dictVr: string, fileVr: string): string {
  if (vrAgrees(dictVr, fileVr)) return fileVr;
  if (dictVr === 'ox') return 'OB';
  if (dictVr === 'xs') return 'US';
  return dictVr.split(' or ')[0];
}

/** Replaces, shifts or removes one date/time value by its dictionary VR; false where it must be removed. */
function cleanTemporal(el: DcmjsElement, vr: string, days: number): boolean {
  const values = stringValues(el);
  if (values === undefined) return false;
  const shift = vr === 'DA' ? (s: string) => shiftDicomDate(s, days) : vr === 'DT' ? (s: string) => shiftDicomDateTime(s, days) : (s: string) => (TM.test(s) ? s : undefined);
  // A partial date (YYYY, YYYYMM) cannot be shifted by days without leaking the original: it is removed.
  const out = values.map((v) => (v.trim() === '' ? '' : shift(v)));
  if (out.some((v) => v === undefined)) return false;
  setValue(el, vr, out);
  return true;
}

function dummy(vr: string): unknown {
  if (vr === 'PN') return { Alphabetic: DUMMY_TEXT };
  if (['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'IS', 'DS', 'xs'].includes(vr)) return 0;
  return DUMMY_TEXT;
}

/** Carries out one resolved action on `ds[tag]`; returns false where the element must be removed instead. */
function apply(tag: string, el: DcmjsElement, action: ProfileAction, dictVr: string, ctx: CleanContext): boolean {
  const { options, removed } = ctx;
  const vr = concreteVr(dictVr, el.vr);
  if (action === 'X' || action === 'C') return false;
  if (vr === 'SQ') {
    if (el.vr !== 'SQ') return false;
    // Z empties a sequence; D, K and U* keep its items, each cleaned by the same table.
    if (action === 'Z') {
      setValue(el, 'SQ', []);
      removed.add(tagLabel(tag));
    } else for (const item of el.Value ?? []) cleanDataset(item as DcmjsDataset, ctx);
    return true;
  }
  if (PSEUDONYM_TAGS.has(tag)) {
    setValue(el, vr, [vr === 'PN' ? { Alphabetic: options.pseudonym } : options.pseudonym]);
    removed.add(tagLabel(tag));
    return true;
  }
  if (action === 'U' || vr === 'UI') {
    const values = stringValues(el);
    if (values === undefined) return false;
    // Standard UIDs (classes, syntaxes) sit under the DICOM root; everything else is an instance and is remapped.
    const keepStandard = action === 'K';
    if (keepStandard && values.some((v) => v !== '' && !v.trim().startsWith(DICOM_ROOT)) && el.vr !== 'UI') return false;
    setValue(el, 'UI', values.map((v) => (v.trim() === '' || v.trim().startsWith(DICOM_ROOT) || keepStandard ? v.replace(/\0/g, '').trim() : remapUid(v, options.key))));
    return true;
  }
  if (BLANK_DATES.has(tag)) {
    setValue(el, vr, []);
    removed.add(tagLabel(tag));
    return true;
  }
  // Retain Longitudinal Temporal Information with Modified Dates: every date and time the table does not remove is kept, dates shifted.
  if (vr === 'DA' || vr === 'DT' || vr === 'TM') return cleanTemporal(el, vr, options.dateShiftDays);
  if (action === 'K') return vrAgrees(dictVr, el.vr);
  if (action === 'Z' || action === 'Z/D') {
    setValue(el, vr, []);
    removed.add(tagLabel(tag));
    return true;
  }
  if (action === 'D') {
    setValue(el, vr, [dummy(vr)]);
    removed.add(tagLabel(tag));
    return true;
  }
  // X/Z, X/D, X/Z/D: the removal is chosen.
  return false;
}

/** Applies Table E.1-1 to every element of `ds`, recursing into kept sequences; removes what is not known-safe. */
export function cleanDataset(ds: DcmjsDataset, ctx: CleanContext): void {
  for (const tag of Object.keys(ds)) {
    const el = ds[tag];
    const action = actionOf(tag);
    const dictVr = dictionaryVr(tag);
    // A UN value cannot be checked against the profile (and dcmjs cannot write some it has read).
    const keep = action !== undefined && dictVr !== undefined && el.vr !== 'UN' && apply(tag, el, action, dictVr, ctx);
    if (!keep) {
      delete ds[tag];
      ctx.removed.add(tagLabel(tag));
    }
  }
}
