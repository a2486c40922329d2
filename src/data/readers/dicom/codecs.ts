import { createRequire } from 'node:module';

/** Samples of one decoded frame, pixel-interleaved, as the codec produced them. */
export interface DecodedFrame {
  readonly samples: Uint8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;
  readonly width: number;
  readonly height: number;
  readonly components: number;
  readonly bitsPerSample: number;
  /** The codestream's own signedness where it records one (JPEG 2000), else undefined. */
  readonly signed?: boolean;
}

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** The shared shape of the cornerstone wasm decoders (libjpeg-turbo, CharLS, OpenJPEG). */
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  delete?(): void;
}

type WasmModule = Record<string, new () => WasmDecoder>;

const require = createRequire(import.meta.url);
const modules = new Map<string, Promise<WasmModule>>();

// Each emscripten factory instantiates its wasm once per process; later frames reuse it.
function wasmModule(name: string): Promise<WasmModule> {
  let m = modules.get(name);
  if (m === undefined) {
    const factory = require(name) as (overrides: { print: () => void; printErr: () => void }) => Promise<WasmModule>;
    // OpenJPEG reports every tile on stdout/stderr; decode failures still surface through the codestream check.
    m = factory({ print: () => undefined, printErr: () => undefined });
    modules.set(name, m);
  }
  return m;
}

async function decodeWith(moduleName: string, className: string, encoded: Uint8Array): Promise<DecodedFrame> {
  const lib = await wasmModule(moduleName);
  const decoder = new lib[className]();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    // The decoded buffer is a view into wasm memory: copy it out before the decoder is freed.
    const bytes = decoder.getDecodedBuffer().slice();
    const samples = info.bitsPerSample > 8
      ? info.isSigned === true
        ? new Int16Array(bytes.buffer, 0, bytes.length >> 1)
        : new Uint16Array(bytes.buffer, 0, bytes.length >> 1)
      : bytes;
    return {
      samples,
      width: info.width,
      height: info.height,
      components: info.componentCount,
      bitsPerSample: info.bitsPerSample,
      ...(info.isSigned === undefined ? {} : { signed: info.isSigned }),
    };
  } finally {
    decoder.delete?.();
  }
}

/** JPEG baseline / extended 8-bit (libjpeg-turbo; colour JPEGs come back as RGB). */
export function decodeJpeg8(encoded: Uint8Array): Promise<DecodedFrame> {
  return decodeWith('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', 'JPEGDecoder', encoded);
}

interface JpegFrameHeader {
  readonly precision: number;
  readonly height: number;
  readonly width: number;
  readonly components: number;
}

/** Width, height and components a JPEG 2000 codestream's SIZ segment declares; undefined where it has none at its start. */
export function jpeg2000Size(encoded: Uint8Array): { width: number; height: number; components: number } | undefined {
  // SOC (FF4F) then SIZ (FF51): Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz, four tile fields, Csiz (PS3.5 A.4.4, ISO 15444-1 A.5.1).
  if (encoded.length < 42 || encoded[0] !== 0xff || encoded[1] !== 0x4f || encoded[2] !== 0xff || encoded[3] !== 0x51) return undefined;
  const v = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const width = v.getUint32(8) - v.getUint32(16);
  const height = v.getUint32(12) - v.getUint32(20);
  return { width, height, components: v.getUint16(40) };
}

/** The SOF segment's sample precision, size and component count, or undefined where none is found. */
export function jpegFrameHeader(encoded: Uint8Array): JpegFrameHeader | undefined {
  let i = 2;
  while (i + 9 < encoded.length) {
    if (encoded[i] !== 0xff) return undefined;
    const marker = encoded[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC); SOF55 (F7) is JPEG-LS's.
    if ((marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) || marker === 0xf7) {
      return {
        precision: encoded[i + 4],
        height: (encoded[i + 5] << 8) | encoded[i + 6],
        width: (encoded[i + 7] << 8) | encoded[i + 8],
        components: encoded[i + 9],
      };
    }
    i += 2 + ((encoded[i + 2] << 8) | encoded[i + 3]);
  }
  return undefined;
}

type DcmjsCodecs = typeof import('dcmjs-codecs');
let dcmjsCodecs: Promise<DcmjsCodecs> | undefined;

// The wasm is read from the package's own build/ folder (Node path, no fetch) once per process.
function nativeCodecs(): Promise<DcmjsCodecs> {
  dcmjsCodecs ??= (async () => {
    const lib = require('dcmjs-codecs') as DcmjsCodecs;
    await lib.NativeCodecs.initializeAsync({ logCodecsInfo: false, logCodecsTrace: false });
    return lib;
  })();
  return dcmjsCodecs;
}

/**
 * JPEG Extended 12-bit greyscale (dcmjs-codecs' wasm build of IJG libjpeg, which libjpeg-turbo-8bit
 * cannot read); samples come back as 16-bit words in the low 12 bits.
 */
export async function decodeJpeg12(encoded: Uint8Array, pixelRepresentation: number): Promise<DecodedFrame> {
  const header = jpegFrameHeader(encoded);
  if (header === undefined) throw new Error('no JPEG SOF marker');
  if (header.components !== 1) throw new Error(`12-bit JPEG with ${header.components} components: only greyscale 12-bit JPEG is supported`);
  const { Context, NativeCodecs } = await nativeCodecs();
  // The wasm sizes its output from these attributes: take them from the codestream, not the DICOM header,
  // so a size mismatch still shows up as one in the caller's check.
  const context = new Context({
    width: header.width,
    height: header.height,
    bitsAllocated: 16,
    bitsStored: header.precision,
    samplesPerPixel: 1,
    pixelRepresentation,
    planarConfiguration: 0,
    photometricInterpretation: 'MONOCHROME2',
    encodedBuffer: encoded,
  });
  const decoded = NativeCodecs.decodeJpeg(context).getDecodedBuffer();
  if (decoded === undefined) throw new Error('the 12-bit JPEG codec returned no samples');
  const bytes = decoded.slice();
  return {
    samples: new Uint16Array(bytes.buffer, 0, bytes.length >> 1),
    width: header.width,
    height: header.height,
    components: 1,
    bitsPerSample: header.precision,
  };
}

/** JPEG-LS lossless and near-lossless (CharLS). */
export function decodeJpegLs(encoded: Uint8Array): Promise<DecodedFrame> {
  return decodeWith('@cornerstonejs/codec-charls/decodewasmjs', 'JpegLSDecoder', encoded);
}

/** JPEG 2000, reversible or not (OpenJPEG). */
export function decodeJpeg2000(encoded: Uint8Array): Promise<DecodedFrame> {
  return decodeWith('@cornerstonejs/codec-openjpeg/decodewasmjs', 'J2KDecoder', encoded);
}

interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array;
  frame: { dimX: number; dimY: number; numComp: number; precision: number };
}

/** JPEG lossless, process 14 (any predictor, including first-order SV1), via jpeg-lossless-decoder-js. */
export function decodeJpegLossless(encoded: Uint8Array, bitsAllocated: number): DecodedFrame {
  const { Decoder } = require('jpeg-lossless-decoder-js') as { Decoder: new () => LosslessDecoder };
  const decoder = new Decoder();
  // A fresh Uint8Array: `encoded` may be a Buffer view into a shared pool (Buffer#slice does not copy).
  const copy = new Uint8Array(encoded);
  const samples = decoder.decode(copy.buffer, 0, copy.length, bitsAllocated > 8 ? 2 : 1);
  return {
    samples,
    width: decoder.frame.dimX,
    height: decoder.frame.dimY,
    components: decoder.frame.numComp,
    bitsPerSample: decoder.frame.precision,
  };
}

/** The JPEG sample precision from the SOF marker (8, 12, 16), or undefined where none is found. */
export function jpegPrecision(encoded: Uint8Array): number | undefined {
  return jpegFrameHeader(encoded)?.precision;
}

function hasMarker(encoded: Uint8Array, marker: number): boolean {
  let i = 2;
  while (i + 4 < encoded.length && encoded[i] === 0xff) {
    const m = encoded[i + 1];
    if (m === marker) return true;
    if (m === 0xda) return false;
    i += 2 + ((encoded[i + 2] << 8) | encoded[i + 3]);
  }
  return false;
}

/** Adobe APP14 segment with transform 0: "the three components are RGB, no colour transform". */
const ADOBE_NO_TRANSFORM = [0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00];

/**
 * A 3-component JPEG the DICOM header calls RGB but which carries neither JFIF (APP0) nor Adobe (APP14)
 * markers: libjpeg would assume YCbCr and transform it. An APP14 transform-0 segment after SOI says RGB,
 * which is what PS3.5 8.2.1 makes the Photometric Interpretation mean.
 */
export function markJpegAsRgb(encoded: Uint8Array): Uint8Array {
  if (hasMarker(encoded, 0xee) || hasMarker(encoded, 0xe0)) return encoded;
  const out = new Uint8Array(encoded.length + ADOBE_NO_TRANSFORM.length);
  out.set(encoded.subarray(0, 2));
  out.set(ADOBE_NO_TRANSFORM, 2);
  out.set(encoded.subarray(2), 2 + ADOBE_NO_TRANSFORM.length);
  return out;
}
