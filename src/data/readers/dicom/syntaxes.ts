/** How the pixel data of a transfer syntax is decoded. */
export type PixelEncoding = 'native' | 'rle' | 'jpeg' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg2000';

/** One transfer syntax: its DICOM name, how it is decoded, and whether the encoding can lose information. */
export interface TransferSyntaxInfo {
  readonly uid: string;
  readonly name: string;
  readonly encoding: PixelEncoding;
  readonly lossy: boolean;
  /** The npm package that decodes it ('—' where the reader does it itself). */
  readonly codec: string;
}

const LIBJPEG = '@cornerstonejs/codec-libjpeg-turbo-8bit';

/** Transfer syntaxes the DICOM reader decodes (docs/data.md, "DICOM"). */
export const SUPPORTED_TRANSFER_SYNTAXES: readonly TransferSyntaxInfo[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', encoding: 'native', lossy: false, codec: '—' },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', encoding: 'native', lossy: false, codec: '—' },
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', encoding: 'native', lossy: false, codec: 'node:zlib' },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', encoding: 'native', lossy: false, codec: '—' },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', encoding: 'rle', lossy: false, codec: '—' },
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', encoding: 'jpeg', lossy: true, codec: LIBJPEG },
  { uid: '1.2.840.10008.1.2.4.51', name: 'JPEG Extended (Process 2 & 4)', encoding: 'jpeg', lossy: true, codec: `${LIBJPEG} (8-bit), dcmjs-codecs (12-bit)` },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless, Non-Hierarchical (Process 14)', encoding: 'jpeg-lossless', lossy: false, codec: 'jpeg-lossless-decoder-js' },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])', encoding: 'jpeg-lossless', lossy: false, codec: 'jpeg-lossless-decoder-js' },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless Image Compression', encoding: 'jpeg-ls', lossy: false, codec: '@cornerstonejs/codec-charls' },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Lossy (Near-Lossless) Image Compression', encoding: 'jpeg-ls', lossy: true, codec: '@cornerstonejs/codec-charls' },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 Image Compression (Lossless Only)', encoding: 'jpeg2000', lossy: false, codec: '@cornerstonejs/codec-openjpeg' },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000 Image Compression', encoding: 'jpeg2000', lossy: true, codec: '@cornerstonejs/codec-openjpeg' },
];

/** Names of well-known transfer syntaxes this reader rejects, so the error can say which one it met. */
const UNSUPPORTED_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.10008.1.2.1.98': 'Encapsulated Uncompressed Explicit VR Little Endian',
  '1.2.840.10008.1.2.4.52': 'JPEG Extended (Process 3 & 5) (retired)',
  '1.2.840.10008.1.2.4.53': 'JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8) (retired)',
  '1.2.840.10008.1.2.4.55': 'JPEG Full Progression, Non-Hierarchical (Process 10 & 12) (retired)',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component Image Compression',
  '1.2.840.10008.1.2.4.94': 'JPIP Referenced',
  '1.2.840.10008.1.2.4.95': 'JPIP Referenced Deflate',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile / Main Level',
  '1.2.840.10008.1.2.4.101': 'MPEG2 Main Profile / High Level',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.103': 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 Image Compression (Lossless Only)',
  '1.2.840.10008.1.2.4.202': 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000 Image Compression',
  '1.2.840.10008.1.2.6.1': 'RFC 2557 MIME encapsulation (retired)',
};

const BY_UID = new Map(SUPPORTED_TRANSFER_SYNTAXES.map((t) => [t.uid, t]));

/** The decoding info of a supported transfer syntax, undefined for any other. */
export function transferSyntax(uid: string): TransferSyntaxInfo | undefined {
  return BY_UID.get(uid);
}

/** A human name for any transfer syntax UID, supported or not. */
export function transferSyntaxName(uid: string): string {
  return BY_UID.get(uid)?.name ?? UNSUPPORTED_NAMES[uid] ?? 'unknown transfer syntax';
}
