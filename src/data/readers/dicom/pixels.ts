import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import { decodeJpeg12, decodeJpeg2000, decodeJpeg8, decodeJpegLossless, decodeJpegLs, jpeg2000Size, jpegFrameHeader, jpegPrecision, markJpegAsRgb, type DecodedFrame } from './codecs.js';
import type { DicomImageAttributes } from './meta.js';
import { decodeRleFrame } from './rle.js';
import type { TransferSyntaxInfo } from './syntaxes.js';

/** Stored sample values of every frame, pixel-interleaved, and the colour space they are in. */
export interface StoredPixels {
  readonly values: Float64Array;
  /** 'RGB' once a codec or the reader has converted colour; otherwise the file's photometric interpretation. */
  readonly photometric: string;
}

const PIXEL_DATA = '(7FE0,0010)';

function frameFragments(ds: DataSet, el: Element, attrs: DicomImageAttributes): Uint8Array[] {
  const fragments = el.fragments ?? [];
  if (fragments.length === 0) throw new Error(`${PIXEL_DATA} encapsulated pixel data has no fragments`);
  if (attrs.frames === 1) return [dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, 0, fragments.length)];
  if (fragments.length === attrs.frames) {
    return fragments.map((_, i) => dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, i, 1));
  }
  if ((el.basicOffsetTable ?? []).length === attrs.frames) {
    return Array.from({ length: attrs.frames }, (_, i) => dicomParser.readEncapsulatedImageFrame(ds, el, i));
  }
  throw new Error(`${PIXEL_DATA} has ${fragments.length} fragments for ${attrs.frames} frames and no basic offset table`);
}

function readNative(ds: DataSet, el: Element, attrs: DicomImageAttributes, bigEndian: boolean): Float64Array {
  const { rows, columns, frames, samplesPerPixel: spp, bitsAllocated: ba } = attrs;
  const bytes = ds.byteArray.subarray(el.dataOffset, el.dataOffset + el.length);
  const is422 = attrs.photometric === 'YBR_FULL_422' || attrs.photometric === 'YBR_PARTIAL_422';
  // 4:2:2 stores two luma and one chroma pair per two pixels (PS3.3 C.7.6.3.1.2).
  const perFrame = is422 ? rows * columns * 2 : rows * columns * spp;
  const total = perFrame * frames;
  const needBytes = ba === 1 ? Math.ceil(total / 8) : (total * ba) / 8;
  if (![1, 8, 16, 32].includes(ba)) throw new Error(`unsupported BitsAllocated (0028,0100) ${ba} for native pixel data`);
  if (bytes.length < needBytes) {
    throw new Error(`${PIXEL_DATA} is truncated: ${bytes.length} bytes, ${rows}x${columns}x${spp} x ${frames} frames of ${ba} bits need ${needBytes}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw = new Float64Array(total);
  for (let i = 0; i < total; i++) {
    if (ba === 1) raw[i] = (bytes[i >> 3] >> (i & 7)) & 1;
    else if (ba === 8) raw[i] = bytes[i];
    else if (ba === 16) raw[i] = view.getUint16(2 * i, !bigEndian);
    else raw[i] = view.getUint32(4 * i, !bigEndian);
  }
  if (is422) return expand422(raw, rows * columns, frames);
  if (spp > 1 && attrs.planarConfiguration === 1) return interleave(raw, rows * columns, spp, frames);
  return raw;
}

function expand422(raw: Float64Array, pixels: number, frames: number): Float64Array {
  const out = new Float64Array(pixels * 3 * frames);
  for (let f = 0; f < frames; f++) {
    for (let p = 0; p < pixels; p += 2) {
      const i = f * pixels * 2 + p * 2;
      const [y1, y2, cb, cr] = [raw[i], raw[i + 1], raw[i + 2], raw[i + 3]];
      const o = (f * pixels + p) * 3;
      out.set([y1, cb, cr], o);
      if (p + 1 < pixels) out.set([y2, cb, cr], o + 3);
    }
  }
  return out;
}

function interleave(raw: Float64Array, pixels: number, spp: number, frames: number): Float64Array {
  const out = new Float64Array(raw.length);
  for (let f = 0; f < frames; f++) {
    const base = f * pixels * spp;
    for (let s = 0; s < spp; s++) for (let p = 0; p < pixels; p++) out[base + p * spp + s] = raw[base + s * pixels + p];
  }
  return out;
}

async function decodeCompressed(encoded: Uint8Array, ts: TransferSyntaxInfo, attrs: DicomImageAttributes): Promise<DecodedFrame> {
  switch (ts.encoding) {
    case 'jpeg': {
      const precision = jpegPrecision(encoded);
      if (precision === 12) return decodeJpeg12(encoded, attrs.pixelRepresentation);
      if (precision !== 8) throw new Error(`JPEG with ${precision ?? 'unknown'}-bit samples: only 8- and 12-bit JPEG Baseline/Extended are decoded`);
      return decodeJpeg8(attrs.samplesPerPixel === 3 && attrs.photometric === 'RGB' ? markJpegAsRgb(encoded) : encoded);
    }
    case 'jpeg-lossless':
      return decodeJpegLossless(encoded, attrs.bitsAllocated);
    case 'jpeg-ls':
      return decodeJpegLs(encoded);
    case 'jpeg2000':
      return decodeJpeg2000(encoded);
    default:
      throw new Error(`no decoder for encoding ${ts.encoding}`);
  }
}

/** Reads every frame's stored values (before masking, sign, rescale) for any supported transfer syntax. */
export async function readStoredPixels(ds: DataSet, attrs: DicomImageAttributes, ts: TransferSyntaxInfo, bigEndian: boolean): Promise<StoredPixels> {
  const el = ds.elements.x7fe00010;
  if (el === undefined) throw new Error(`no Pixel Data ${PIXEL_DATA}`);
  const { rows, columns, samplesPerPixel: spp } = attrs;
  const pixels = rows * columns;
  if (ts.encoding === 'native') {
    if (el.encapsulatedPixelData === true) throw new Error(`${PIXEL_DATA} is encapsulated but ${ts.name} is a native syntax`);
    const photometric = attrs.photometric.endsWith('_422') ? attrs.photometric.replace('_422', '') : attrs.photometric;
    return { values: readNative(ds, el, attrs, bigEndian), photometric };
  }
  if (el.encapsulatedPixelData !== true) throw new Error(`${PIXEL_DATA} is not encapsulated but ${ts.name} requires it`);
  const out = new Float64Array(pixels * spp * attrs.frames);
  const frames = frameFragments(ds, el, attrs);
  let photometric = attrs.photometric;
  for (let f = 0; f < frames.length; f++) {
    const where = `frame ${f + 1} of ${PIXEL_DATA}`;
    if (ts.encoding === 'rle') {
      out.set(decodeRleFrame(frames[f], pixels, spp, attrs.bitsAllocated, where), f * pixels * spp);
      continue;
    }
    // A codestream that declares another size than the header could decode to anything: refuse it before decoding.
    const declared = ts.encoding === 'jpeg2000' ? jpeg2000Size(frames[f]) : jpegFrameHeader(frames[f]);
    if (declared !== undefined && (declared.width !== columns || declared.height !== rows || declared.components !== spp)) {
      throw new Error(`${where}: codestream declares ${declared.width}x${declared.height}x${declared.components}, header says ${columns}x${rows}x${spp}; not decoded`);
    }
    let decoded: DecodedFrame;
    try {
      decoded = await decodeCompressed(frames[f], ts, attrs);
    } catch (e) {
      throw new Error(`${where}: ${ts.name} decode failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (decoded.width === 0 || decoded.height === 0) throw new Error(`${where}: ${ts.name}: the codec could not read the codestream header`);
    if (decoded.width !== columns || decoded.height !== rows || decoded.components !== spp) {
      throw new Error(`${where}: codestream is ${decoded.width}x${decoded.height}x${decoded.components}, header says ${columns}x${rows}x${spp}`);
    }
    out.set(Float64Array.from(decoded.samples), f * pixels * spp);
    // JPEG and JPEG 2000 decoders undo their own colour transform (YCbCr, RCT/ICT): the samples are RGB.
    if (spp === 3 && (ts.encoding === 'jpeg' || ts.encoding === 'jpeg2000')) photometric = 'RGB';
  }
  return { values: out, photometric };
}
