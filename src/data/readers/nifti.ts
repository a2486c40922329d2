import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DecodeLimitError, inflateLimitMessage, isOutputLimitError, maxDecodedBytes } from './limits.js';
import * as nifti from 'nifti-reader-js';
import { affineFromSteps, geometryFromAffine } from './geometry.js';
import { ImageReadError, type ImageAxis, type ImageReader, type ImageVolume, type VolumeGeometry } from './types.js';

/** NIfTI-1 datatype codes this reader decodes: element size in bytes and a DataView getter. */
const DATATYPES: Readonly<Record<number, { name: string; bytes: number; get: (v: DataView, o: number, le: boolean) => number }>> = {
  2: { name: 'uint8', bytes: 1, get: (v, o) => v.getUint8(o) },
  4: { name: 'int16', bytes: 2, get: (v, o, le) => v.getInt16(o, le) },
  8: { name: 'int32', bytes: 4, get: (v, o, le) => v.getInt32(o, le) },
  16: { name: 'float32', bytes: 4, get: (v, o, le) => v.getFloat32(o, le) },
  64: { name: 'float64', bytes: 8, get: (v, o, le) => v.getFloat64(o, le) },
  256: { name: 'int8', bytes: 1, get: (v, o) => v.getInt8(o) },
  512: { name: 'uint16', bytes: 2, get: (v, o, le) => v.getUint16(o, le) },
  768: { name: 'uint32', bytes: 4, get: (v, o, le) => v.getUint32(o, le) },
  1024: { name: 'int64', bytes: 8, get: (v, o, le) => Number(v.getBigInt64(o, le)) },
  1280: { name: 'uint64', bytes: 8, get: (v, o, le) => Number(v.getBigUint64(o, le)) },
  128: { name: 'rgb24', bytes: 1, get: (v, o) => v.getUint8(o) },
  2304: { name: 'rgba32', bytes: 1, get: (v, o) => v.getUint8(o) },
};

/** Spatial unit code (xyzt_units & 7) → factor to mm; time unit code (xyzt_units & 56) → factor to seconds. */
const SPACE_TO_MM: Readonly<Record<number, number>> = { 1: 1000, 2: 1, 3: 0.001 };
const TIME_TO_S: Readonly<Record<number, number>> = { 8: 1, 16: 0.001, 24: 1e-6 };

const GZIP = [0x1f, 0x8b];

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP[0] && bytes[1] === GZIP[1];
}

// Axis names of NIfTI's dim[1..7]: x fastest, then y, z, time and the three extra dimensions.
const AXES: readonly ImageAxis[] = ['x', 'y', 'z', 't', 'u', 'v', 'w'];

/** Byte offsets of srow_x, srow_y and srow_z (4 float32 each) in the NIfTI-1 header. */
const SROW_OFFSETS = [280, 296, 312];

/**
 * The voxel-to-RAS affine as NIfTI-1 specifies it: the sform (srow_x/y/z) when sform_code > 0, else the
 * qform (quaternion, qoffset and pixdim with qfac = pixdim[0]) when qform_code > 0, else pixdim scaling alone.
 * Rows are scaled to mm by the spatial unit of xyzt_units.
 */
export function niftiAffine(header: nifti.NIFTI1, view: DataView, le: boolean, toMm: number): VolumeGeometry {
  let affine: number[][];
  let source: VolumeGeometry['source'];
  if (header.sform_code > 0) {
    affine = [...SROW_OFFSETS.map((o) => [0, 1, 2, 3].map((k) => view.getFloat32(o + 4 * k, le))), [0, 0, 0, 1]];
    source = 'sform';
  } else if (header.qform_code > 0) {
    let [b, c, d] = [header.quatern_b, header.quatern_c, header.quatern_d];
    let a = 1 - (b * b + c * c + d * d);
    // nifti1_io: a quaternion of (numerically) unit length b, c, d is a 180° rotation (a = 0), renormalised.
    if (a < 1e-7) {
      const n = 1 / Math.sqrt(b * b + c * c + d * d);
      [a, b, c, d] = [0, b * n, c * n, d * n];
    } else {
      a = Math.sqrt(a);
    }
    const r = [
      [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
      [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
      [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
    ];
    // nifti1_io: a non-positive voxel size counts as 1; qfac (pixdim[0]) is -1 or 1 and flips k.
    const size = [1, 2, 3].map((k) => (header.pixDims[k] > 0 ? header.pixDims[k] : 1));
    const qfac = header.pixDims[0] < 0 ? -1 : 1;
    size[2] *= qfac;
    const col = (k: number) => [r[0][k] * size[k], r[1][k] * size[k], r[2][k] * size[k]] as const;
    affine = affineFromSteps(col(0), col(1), col(2), [header.qoffset_x, header.qoffset_y, header.qoffset_z]);
    source = 'qform';
  } else {
    const size = [1, 2, 3].map((k) => Math.abs(header.pixDims[k]) || 1);
    affine = affineFromSteps([size[0], 0, 0], [0, size[1], 0], [0, 0, size[2]], [0, 0, 0]);
    source = 'pixdim';
  }
  const mm = affine.map((row, i) => (i < 3 ? row.map((x) => x * toMm) : row));
  return geometryFromAffine(mm, 'RAS', source);
}

/** Decodes a NIfTI-1 file (`.nii`, or gzip-compressed `.nii.gz`); `source` names the file in error messages. */
export function parseNifti(input: Uint8Array, source = '<buffer>'): ImageVolume {
  let bytes = input;
  const compressed = isGzip(input);
  if (compressed) {
    try {
      bytes = gunzipSync(input, { maxOutputLength: maxDecodedBytes() });
    } catch (e) {
      if (isOutputLimitError(e)) throw new DecodeLimitError(inflateLimitMessage(source, 'the gzip stream of the .nii.gz'));
      throw new ImageReadError(`${source}: corrupt or truncated gzip stream in .nii.gz (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (bytes.length < 348) {
    throw new ImageReadError(`${source}: truncated NIfTI file: ${bytes.length} bytes, the NIfTI-1 header alone needs 348`);
  }
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  if (nifti.isNIFTI2(buf)) throw new ImageReadError(`${source}: NIfTI-2 files are not supported (only NIfTI-1)`);
  if (!nifti.isNIFTI1(buf)) {
    throw new ImageReadError(`${source}: not a NIfTI-1 file (no sizeof_hdr 348 with magic 'n+1' or 'ni1')`);
  }
  let header: nifti.NIFTI1;
  try {
    header = nifti.readHeader(buf) as nifti.NIFTI1;
  } catch (e) {
    throw new ImageReadError(`${source}: unreadable NIfTI-1 header (${e instanceof Error ? e.message : String(e)})`);
  }
  if (header.magic !== 'n+1') {
    throw new ImageReadError(`${source}: NIfTI header/image pairs (magic '${header.magic}', separate .img) are not supported`);
  }
  const ndim = header.dims[0];
  if (!Number.isInteger(ndim) || ndim < 1 || ndim > 7) throw new ImageReadError(`${source}: invalid dim[0] = ${ndim} (must be 1..7)`);
  const dims = header.dims.slice(1, ndim + 1);
  if (dims.some((d) => !Number.isInteger(d) || d < 1)) throw new ImageReadError(`${source}: invalid dimensions [${dims.join(', ')}]`);
  const type = DATATYPES[header.datatypeCode];
  if (type === undefined) {
    throw new ImageReadError(`${source}: unsupported NIfTI datatype code ${header.datatypeCode} (supported: ${Object.keys(DATATYPES).join(', ')})`);
  }
  const channels = header.datatypeCode === 128 ? 3 : header.datatypeCode === 2304 ? 4 : 1;
  const voxels = dims.reduce((p, d) => p * d, 1);
  const count = voxels * channels;
  const offset = Math.floor(header.vox_offset);
  const needed = offset + count * type.bytes;
  if (bytes.length < needed) {
    throw new ImageReadError(
      `${source}: truncated NIfTI file: dimensions [${dims.join(', ')}] of ${type.name} need ${needed} bytes from vox_offset ${offset}, file has ${bytes.length}`,
    );
  }
  const view = new DataView(buf, offset, count * type.bytes);
  const le = header.littleEndian;
  // NIfTI: slope 0 (or not finite) means no scaling; scaling does not apply to RGB(A) data.
  const slope = header.scl_slope;
  const scaled = channels === 1 && Number.isFinite(slope) && slope !== 0;
  const inter = scaled && Number.isFinite(header.scl_inter) ? header.scl_inter : 0;
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const raw = type.get(view, i * type.bytes, le);
    data[i] = scaled ? raw * slope + inter : raw;
  }
  // File order: x fastest, so C order over the reversed dims ([t, z, y, x]).
  const shape = [...dims].reverse();
  const spaceFactor = SPACE_TO_MM[header.xyzt_units & 7] ?? 1;
  const timeFactor = TIME_TO_S[header.xyzt_units & 56] ?? 1;
  const spacingXyz = header.pixDims.slice(1, ndim + 1).map((p, k) => Math.abs(p) * (k < 3 ? spaceFactor : k === 3 ? timeFactor : 1));
  if (channels > 1) shape.push(channels);
  const spacing = [...spacingXyz].reverse();
  if (channels > 1) spacing.push(1);
  const axes = AXES.slice(0, ndim).reverse();
  if (channels > 1) axes.push('c');
  const geometry = niftiAffine(header, new DataView(buf), le, spaceFactor);
  return {
    format: 'nifti',
    shape,
    layout: { axes, channels, channelAxis: channels > 1 ? axes.length - 1 : null, geometry },
    spacing,
    data,
    metadata: {
      niftiVersion: 1,
      compressed: compressed ? 1 : 0,
      datatype: type.name,
      datatypeCode: header.datatypeCode,
      byteOrder: le ? 'little' : 'big',
      sclSlope: slope,
      sclInter: header.scl_inter,
      xyztUnits: header.xyzt_units,
      qformCode: header.qform_code,
      sformCode: header.sform_code,
      description: header.description.replace(/\0+$/, ''),
    },
  };
}

/** The NIfTI-1 reader: magic 'n+1' at byte 344, or a gzip stream named .nii.gz; a damaged .nii keeps its name. */
export const niftiReader: ImageReader = {
  name: 'nifti',
  description: 'NIfTI-1 .nii/.nii.gz',
  extensions: ['.nii', '.nii.gz'],
  sniff(bytes, path) {
    const magic = bytes.length >= 348 && bytes[344] === 0x6e && bytes[345] === 0x2b && bytes[346] === 0x31 && bytes[347] === 0;
    // A gzip stream is NIfTI only by name: .nii.gz is the one compressed kind read here.
    return magic || (isGzip(bytes) && path.toLowerCase().endsWith('.nii.gz'));
  },
  read: async (bytes, path) => parseNifti(bytes, path),
};

/** Reads a `.nii` or `.nii.gz` file; errors name the file. */
export async function readNifti(path: string): Promise<ImageVolume> {
  return parseNifti(await readFile(path), path);
}
