import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = new URL('../../fixtures/images/', import.meta.url).pathname;

export interface Reference {
  readonly format: string;
  readonly shape: number[];
  readonly spacing?: number[];
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly sha256: string;
  readonly [key: string]: unknown;
}

/** reference.json, written by test/fixtures/images/make_reference.py (struct + numpy). */
export const REFERENCE = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as Record<string, Reference>;

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

const scratch = mkdtempSync(join(tmpdir(), 'medtl-readers-'));

/** Writes bytes to a scratch file and returns its path. */
export function scratchFile(name: string, bytes: Uint8Array | string): string {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

export function assertClose(actual: number | null, expected: number, what: string, rel = 1e-9): void {
  if (actual === null || Math.abs(actual - expected) > rel * Math.max(1, Math.abs(expected))) {
    throw new Error(`${what}: got ${actual}, expected ${expected}`);
  }
}

const DICOM_FIXTURES = new URL('../../fixtures/dicom/', import.meta.url).pathname;

/** CT_small.dcm with the transfer syntax UID in the file meta replaced (group length adjusted). */
export function withTransferSyntax(uid: string, file = 'CT_small.dcm'): Uint8Array {
  const bytes = readFileSync(join(DICOM_FIXTURES, file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 132 + 12;
  while (!(view.getUint16(at, true) === 0x0002 && view.getUint16(at + 2, true) === 0x0010)) {
    const vr = String.fromCharCode(bytes[at + 4], bytes[at + 5]);
    // Explicit VR: OB/OW/OF/SQ/UT/UN have 2 reserved bytes and a 32-bit length.
    at += ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN'].includes(vr) ? 12 + view.getUint32(at + 8, true) : 8 + view.getUint16(at + 6, true);
  }
  const oldLength = view.getUint16(at + 6, true);
  const value = uid.length % 2 === 0 ? uid : `${uid}\0`;
  const out = new Uint8Array(bytes.length - oldLength + value.length);
  out.set(bytes.subarray(0, at + 8));
  out.set(new TextEncoder().encode(value), at + 8);
  out.set(bytes.subarray(at + 8 + oldLength), at + 8 + value.length);
  const outView = new DataView(out.buffer);
  outView.setUint16(at + 6, value.length, true);
  outView.setUint32(140, view.getUint32(140, true) - oldLength + value.length, true);
  return out;
}
