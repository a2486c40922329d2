/** Hand-built DICOM byte strings for the hostile-input tests (bombs, overruns). */
const LONG_VRS = new Set(['OB', 'OW', 'SQ', 'UN', 'UT']);
/** A little-endian uint16. */
export const u16 = (n: number) => Buffer.from([n & 0xff, n >> 8]);
/** A text value padded to even length. */
export const text = (s: string) => Buffer.from(s.length % 2 === 1 ? `${s}\0` : s, 'latin1');

/** One explicit-VR little-endian element (or implicit where `explicit` is false). */
export function el(group: number, element: number, vr: string, value: Buffer, explicit = true, length = value.length): Buffer {
  const tag = Buffer.concat([u16(group), u16(element)]);
  if (!explicit) return Buffer.concat([tag, Buffer.from(new Uint32Array([length]).buffer), value]);
  if (LONG_VRS.has(vr)) return Buffer.concat([tag, Buffer.from(vr), Buffer.alloc(2), Buffer.from(new Uint32Array([length]).buffer), value]);
  return Buffer.concat([tag, Buffer.from(vr), u16(length), value]);
}

/** A Part 10 file: preamble, meta with `ts`, then `body` as given. */
export function part10(ts: string, body: Buffer): Uint8Array {
  const meta = Buffer.concat([el(2, 0x0002, 'UI', text('1.2.840.10008.5.1.4.1.1.7')), el(2, 0x0010, 'UI', text(ts))]);
  return new Uint8Array(Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), el(2, 0, 'UL', Buffer.from(new Uint32Array([meta.length]).buffer)), meta, body]));
}

/** The image pixel attributes of an 8-bit monochrome image, plus a patient name. */
export function imageHeader(rows: number, cols: number, frames: number, explicit = true): Buffer {
  return Buffer.concat([
    el(8, 0x0016, 'UI', text('1.2.840.10008.5.1.4.1.1.7'), explicit),
    el(0x10, 0x0010, 'PN', text('Bomb^Patient'), explicit),
    el(0x28, 0x0002, 'US', u16(1), explicit),
    el(0x28, 0x0004, 'CS', text('MONOCHROME2'), explicit),
    el(0x28, 0x0008, 'IS', text(String(frames)), explicit),
    el(0x28, 0x0010, 'US', u16(rows), explicit),
    el(0x28, 0x0011, 'US', u16(cols), explicit),
    el(0x28, 0x0100, 'US', u16(8), explicit),
    el(0x28, 0x0101, 'US', u16(8), explicit),
    el(0x28, 0x0102, 'US', u16(7), explicit),
    el(0x28, 0x0103, 'US', u16(0), explicit),
  ]);
}

/** Encapsulated pixel data: an empty basic offset table, one fragment, the sequence delimiter. */
export function encapsulated(fragment: Buffer): Buffer {
  const item = (b: Buffer) => Buffer.concat([u16(0xfffe), u16(0xe000), Buffer.from(new Uint32Array([b.length]).buffer), b]);
  const delimiter = Buffer.concat([u16(0xfffe), u16(0xe0dd), Buffer.alloc(4)]);
  return Buffer.concat([u16(0x7fe0), u16(0x0010), Buffer.from('OB'), Buffer.alloc(2), Buffer.from([0xff, 0xff, 0xff, 0xff]), item(Buffer.alloc(0)), item(fragment), delimiter]);
}

