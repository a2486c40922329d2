import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { writeFileAtomic } from '../util/fs.js';

/** Element types supported in .npy files (NumPy dtype codes without the byte-order character). */
export type NpyDtype = 'f4' | 'f8' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8' | 'b1';

/** The typed array holding each dtype's elements ('b1' booleans are stored as 0/1 bytes). */
export interface NpyDataTypes {
  f4: Float32Array;
  f8: Float64Array;
  i1: Int8Array;
  u1: Uint8Array;
  i2: Int16Array;
  u2: Uint16Array;
  i4: Int32Array;
  u4: Uint32Array;
  i8: BigInt64Array;
  u8: BigUint64Array;
  b1: Uint8Array;
}

/** An n-dimensional array in C (row-major) order, as stored in a .npy file. */
export interface NpyArray<D extends NpyDtype = NpyDtype> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: NpyDataTypes[D];
}

/** Any supported array; narrowing on `dtype` narrows `data`. */
export type AnyNpyArray = { [D in NpyDtype]: NpyArray<D> }[NpyDtype];

/** Thrown for a malformed or unsupported .npy file; the message starts with the file name. */
export class NpyError extends Error {
  override readonly name = 'NpyError';
}

type Ctor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): NpyDataTypes[NpyDtype]; BYTES_PER_ELEMENT: number };

const CTORS: { readonly [D in NpyDtype]: Ctor } = {
  f4: Float32Array,
  f8: Float64Array,
  i1: Int8Array,
  u1: Uint8Array,
  i2: Int16Array,
  u2: Uint16Array,
  i4: Int32Array,
  u4: Uint32Array,
  i8: BigInt64Array,
  u8: BigUint64Array,
  b1: Uint8Array,
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const HOST_LITTLE = endianness() === 'LE';

function isDtype(code: string): code is NpyDtype {
  return Object.hasOwn(CTORS, code);
}

/** Reverses the bytes of each element in place (endianness conversion). */
function swapBytes(bytes: Uint8Array, itemSize: number): void {
  if (itemSize === 1) return;
  for (let i = 0; i < bytes.length; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

function product(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Parses the header dict, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 64, 64), }. */
function parseHeader(header: string, source: string): { dtype: NpyDtype; littleEndian: boolean; shape: number[] } {
  const fail = (why: string): never => {
    throw new NpyError(`${source}: ${why} (header: ${header.trim()})`);
  };
  if (/['"]descr['"]\s*:\s*\[/.test(header)) fail('unsupported dtype: structured (record) arrays are not supported');
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1] ?? fail("header has no 'descr' entry");
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1] ?? fail("header has no 'fortran_order' entry");
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? fail("header has no 'shape' entry");
  if (fortran === 'True') {
    fail('fortran_order=True (column-major) is not supported; save a C-ordered array (np.ascontiguousarray)');
  }
  const order = descr[0];
  const code = descr.slice(1);
  if (!isDtype(code) || !['<', '>', '|', '='].includes(order)) {
    fail(`unsupported dtype '${descr}' (supported: ${Object.keys(CTORS).map((c) => `<${c}`).join(', ')})`);
  }
  const dtype = code as NpyDtype;
  const itemSize = CTORS[dtype].BYTES_PER_ELEMENT;
  if (order === '=' && itemSize > 1) fail(`dtype '${descr}' has native ('=') byte order, which a file cannot pin down`);
  if (order === '|' && itemSize > 1) fail(`dtype '${descr}' has no byte order but ${itemSize}-byte elements`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => (/^\d+L?$/.test(s) ? Number.parseInt(s, 10) : fail(`shape entry '${s}' is not a non-negative integer`)));
  return { dtype, littleEndian: order !== '>', shape };
}

/** Decodes a .npy file (format versions 1.0, 2.0 and 3.0); `source` names the file in error messages. */
export function parseNpy(bytes: Uint8Array, source = '<buffer>'): AnyNpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new NpyError(`${source}: not a .npy file (missing the \\x93NUMPY magic string)`);
  }
  const major = bytes[6];
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = bytes[8] | (bytes[9] << 8);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new NpyError(`${source}: truncated file (header length cut off)`);
    headerLen = (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 2 ** 24;
    headerStart = 12;
  } else {
    throw new NpyError(`${source}: unsupported .npy format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLen;
  if (bytes.length < dataStart) {
    throw new NpyError(`${source}: truncated file: header says ${headerLen} header bytes, file has ${bytes.length - headerStart}`);
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const { dtype, littleEndian, shape } = parseHeader(header, source);
  const ctor = CTORS[dtype];
  const count = product(shape);
  const nbytes = count * ctor.BYTES_PER_ELEMENT;
  const available = bytes.length - dataStart;
  if (available < nbytes) {
    throw new NpyError(
      `${source}: truncated file: shape (${shape.join(', ')}) of '${dtype}' needs ${nbytes} data bytes, found ${available}`,
    );
  }
  if (available > nbytes) {
    throw new NpyError(`${source}: ${available - nbytes} unexpected bytes after the ${nbytes} data bytes of shape (${shape.join(', ')})`);
  }
  // Copy into a fresh, aligned buffer: a Node Buffer's offset need not be a multiple of the element
  // size, and Buffer.slice() returns a view, so the copy goes through the Uint8Array constructor.
  const raw = new Uint8Array(bytes.subarray(dataStart, dataStart + nbytes));
  if (littleEndian !== HOST_LITTLE) swapBytes(raw, ctor.BYTES_PER_ELEMENT);
  if (dtype === 'b1' && raw.some((b) => b > 1)) throw new NpyError(`${source}: boolean array holds a byte other than 0 or 1`);
  return { dtype, shape, data: new ctor(raw.buffer, 0, count) } as AnyNpyArray;
}

/** Encodes an array as a .npy v1.0 file (little-endian, C order, header padded to 64 bytes). */
export function encodeNpy(array: NpyArray): Uint8Array {
  const { dtype, shape, data } = array;
  if (!isDtype(dtype)) throw new NpyError(`encodeNpy: unsupported dtype '${String(dtype)}'`);
  const ctor = CTORS[dtype];
  if (!(data instanceof ctor)) {
    throw new NpyError(`encodeNpy: dtype '${dtype}' needs a ${ctor.name}, got ${Object.prototype.toString.call(data)}`);
  }
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new NpyError(`encodeNpy: shape [${shape.join(', ')}] must hold non-negative integers`);
  }
  if (product(shape) !== data.length) {
    throw new NpyError(`encodeNpy: shape [${shape.join(', ')}] holds ${product(shape)} elements, data has ${data.length}`);
  }
  const order = ctor.BYTES_PER_ELEMENT === 1 ? '|' : '<';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${order}${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so magic + length + header + '\n' is a multiple of 64, as NumPy does.
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  if (header.length > 0xffff) throw new NpyError(`encodeNpy: header of ${header.length} bytes is too long for format 1.0`);
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const body = out.subarray(10 + header.length);
  body.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (!HOST_LITTLE) swapBytes(body, ctor.BYTES_PER_ELEMENT);
  return out;
}

/** Reads a .npy file; errors name the file. */
export async function readNpy(path: string): Promise<AnyNpyArray> {
  return parseNpy(await readFile(path), path);
}

/** Writes a .npy v1.0 file atomically (temporary sibling, then rename), so no half-written file remains. */
export async function writeNpy(path: string, array: NpyArray): Promise<void> {
  await writeFileAtomic(path, encodeNpy(array));
}
