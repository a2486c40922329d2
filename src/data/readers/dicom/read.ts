import { affineFromSteps, cross, geometryFromAffine, scale } from '../geometry.js';
import { ImageReadError, type DicomMetadata, type ImageAxis, type ImageVolume, type VolumeGeometry } from '../types.js';
import { readImageAttributes, type DicomImageAttributes } from './meta.js';
import { toModalityUnits } from './modality.js';
import { TS, parseDicomFile } from './parse.js';
import { readStoredPixels } from './pixels.js';
import { checkDecodedSize } from '../limits.js';
import { transferSyntax, transferSyntaxName } from './syntaxes.js';

function frameSpacing(a: DicomImageAttributes): number {
  const offsets = a.gridFrameOffsetVector;
  if (offsets !== undefined && offsets.length >= 2) return Math.abs(offsets[1] - offsets[0]);
  return a.spacingBetweenSlices ?? a.sliceThickness ?? Number.NaN;
}

/**
 * The voxel-to-LPS affine of a frame stack from PS3.3 C.7.6.2.1.1: i steps along a row by the column
 * spacing (PixelSpacing[1]) in the row direction (ImageOrientationPatient[0..2]), j down a column by
 * the row spacing in the column direction, k along `sliceStep` (the step between slices), from ImagePositionPatient.
 * Undefined without position, orientation or pixel spacing.
 */
export function dicomGeometry(
  a: Pick<DicomMetadata, 'imagePositionPatient' | 'imageOrientationPatient' | 'pixelSpacing'>,
  sliceStep: (normal: readonly [number, number, number]) => readonly [number, number, number],
): VolumeGeometry | undefined {
  const { imagePositionPatient: ipp, imageOrientationPatient: iop, pixelSpacing: ps } = a;
  if (ipp === undefined || iop === undefined || ps === undefined) return undefined;
  const row = [iop[0], iop[1], iop[2]] as const;
  const col = [iop[3], iop[4], iop[5]] as const;
  return geometryFromAffine(affineFromSteps(scale(row, ps[1]), scale(col, ps[0]), sliceStep(cross(row, col)), ipp), 'LPS', 'dicom');
}

/** The typed DICOM metadata of one file (see DicomMetadata). */
export function dicomMetadata(a: DicomImageAttributes, transferSyntaxUid: string, photometricOut: string): DicomMetadata {
  return {
    transferSyntaxUid,
    transferSyntaxName: transferSyntaxName(transferSyntaxUid),
    photometricInterpretation: a.photometric,
    photometricOut,
    rows: a.rows,
    columns: a.columns,
    frames: a.frames,
    samplesPerPixel: a.samplesPerPixel,
    bitsAllocated: a.bitsAllocated,
    bitsStored: a.bitsStored,
    pixelRepresentation: a.pixelRepresentation,
    rescaleSlope: a.rescaleSlope,
    rescaleIntercept: a.rescaleIntercept,
    ...(a.rescaleType === undefined ? {} : { rescaleType: a.rescaleType }),
    ...(a.modality === undefined ? {} : { modality: a.modality }),
    ...(a.windowCenter === undefined ? {} : { windowCenter: a.windowCenter }),
    ...(a.windowWidth === undefined ? {} : { windowWidth: a.windowWidth }),
    ...(a.pixelSpacing === undefined ? {} : { pixelSpacing: a.pixelSpacing }),
    ...(a.sliceThickness === undefined ? {} : { sliceThickness: a.sliceThickness }),
    ...(a.imagePositionPatient === undefined ? {} : { imagePositionPatient: a.imagePositionPatient }),
    ...(a.imageOrientationPatient === undefined ? {} : { imageOrientationPatient: a.imageOrientationPatient }),
    ...(a.patientId === undefined ? {} : { patientId: a.patientId }),
    ...(a.studyInstanceUid === undefined ? {} : { studyInstanceUid: a.studyInstanceUid }),
    ...(a.seriesInstanceUid === undefined ? {} : { seriesInstanceUid: a.seriesInstanceUid }),
    ...(a.sopInstanceUid === undefined ? {} : { sopInstanceUid: a.sopInstanceUid }),
    ...(a.frameOfReferenceUid === undefined ? {} : { frameOfReferenceUid: a.frameOfReferenceUid }),
    ...(a.instanceNumber === undefined ? {} : { instanceNumber: a.instanceNumber }),
  };
}

/** The flat string/number form of DicomMetadata for ImageVolume.metadata (vectors joined with '\'). */
export function flatMetadata(m: DicomMetadata): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(m)) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join('\\') : (v as string | number);
  }
  return out;
}

/**
 * Decodes one DICOM file (Part 10 or a bare data set) to modality units. Shape follows pydicom's
 * pixel_array: [rows, cols], [frames, rows, cols], with a trailing 3 for colour. Errors name the file and tag.
 */
export async function parseDicom(bytes: Uint8Array, source = '<buffer>'): Promise<ImageVolume> {
  const parsed = parseDicomFile(bytes, source);
  const ds = parsed.dataSet;
  const uid = parsed.transferSyntaxUid;
  const ts = transferSyntax(uid);
  if (ts === undefined) throw new ImageReadError(`${source}: unsupported transfer syntax ${uid} (${transferSyntaxName(uid)}) in (0002,0010)`);
  if (ds.elements.x7fe00010 === undefined) {
    const sopClass = ds.string('x00080016');
    throw new ImageReadError(`${source}: no Pixel Data (7FE0,0010): not an image${sopClass === undefined ? '' : ` (SOP Class ${sopClass})`}`);
  }
  let attrs: DicomImageAttributes;
  try {
    attrs = readImageAttributes(ds);
  } catch (e) {
    throw new ImageReadError(`${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (![1, 3].includes(attrs.samplesPerPixel)) {
    throw new ImageReadError(`${source}: SamplesPerPixel (0028,0002) ${attrs.samplesPerPixel} is not supported (1 or 3)`);
  }
  if (attrs.photometric === 'PALETTE COLOR') {
    throw new ImageReadError(`${source}: PhotometricInterpretation (0028,0004) PALETTE COLOR is not supported`);
  }
  let data: Float32Array;
  let photometricOut: string;
  // RLE and the JPEG codecs size their output from the header: cap it before any frame is decoded.
  const declared = attrs.rows * attrs.columns * attrs.frames * attrs.samplesPerPixel * Math.max(1, attrs.bitsAllocated) / 8;
  checkDecodedSize(declared, `Pixel Data (7FE0,0010) of ${attrs.frames} frame(s) of ${attrs.rows}x${attrs.columns}x${attrs.samplesPerPixel} at ${attrs.bitsAllocated} bits`, source);
  try {
    const stored = await readStoredPixels(ds, attrs, ts, uid === TS.explicitBE);
    const convertible = stored.photometric === 'RGB' || (stored.photometric === 'YBR_FULL' && attrs.bitsAllocated === 8);
    if (attrs.samplesPerPixel === 3 && !convertible) {
      throw new ImageReadError(`${source}: PhotometricInterpretation (0028,0004) ${attrs.photometric} with ${attrs.bitsAllocated}-bit ${ts.name} samples is not converted to RGB by this reader`);
    }
    data = toModalityUnits(stored.values, stored.photometric, attrs);
    photometricOut = attrs.samplesPerPixel === 3 ? 'RGB' : stored.photometric;
  } catch (e) {
    if (e instanceof ImageReadError) throw e;
    throw new ImageReadError(`${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const shape = [attrs.rows, attrs.columns];
  const spacing: number[] | undefined = attrs.pixelSpacing === undefined ? undefined : [...attrs.pixelSpacing];
  if (attrs.frames > 1) {
    shape.unshift(attrs.frames);
    spacing?.unshift(frameSpacing(attrs));
  }
  if (attrs.samplesPerPixel === 3) {
    shape.push(3);
    spacing?.push(Number.NaN);
  }
  const axes: ImageAxis[] = attrs.frames > 1 ? ['z', 'y', 'x'] : ['y', 'x'];
  if (attrs.samplesPerPixel === 3) axes.push('c');
  // One frame: k steps one slice thickness along the normal (a 2-D image has no next slice to measure).
  // RT Dose frames sit at signed offsets along the normal, so their step keeps its sign.
  const offsets = attrs.gridFrameOffsetVector;
  const step = attrs.frames === 1 ? (attrs.spacingBetweenSlices ?? attrs.sliceThickness ?? 1) : offsets !== undefined && offsets.length >= 2 ? offsets[1] - offsets[0] : frameSpacing(attrs);
  const geometry = Number.isFinite(step) ? dicomGeometry(attrs, (n) => scale(n, step)) : undefined;
  const dicom = dicomMetadata(attrs, uid, photometricOut);
  return {
    format: 'dicom',
    shape,
    layout: {
      axes,
      channels: attrs.samplesPerPixel,
      channelAxis: attrs.samplesPerPixel === 3 ? axes.length - 1 : null,
      ...(geometry === undefined ? {} : { geometry }),
    },
    ...(spacing === undefined ? {} : { spacing }),
    data,
    metadata: flatMetadata(dicom),
    dicom,
  };
}
