import type { DataSet } from 'dicom-parser';

/** The attributes that say how to turn the stored pixel data into modality-unit values, and where it sits. */
export interface DicomImageAttributes {
  readonly rows: number;
  readonly columns: number;
  readonly frames: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  readonly pixelRepresentation: 0 | 1;
  readonly photometric: string;
  readonly planarConfiguration: 0 | 1;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  readonly rescaleType?: string;
  /** RT Dose: DoseGridScaling (3004,000E) turns stored values into DoseUnits. */
  readonly doseGridScaling?: number;
  readonly modality?: string;
  readonly windowCenter?: number[];
  readonly windowWidth?: number[];
  /** PixelSpacing (0028,0030) or ImagerPixelSpacing (0018,1164): [row spacing, column spacing] in mm. */
  readonly pixelSpacing?: [number, number];
  readonly sliceThickness?: number;
  readonly spacingBetweenSlices?: number;
  readonly imagePositionPatient?: [number, number, number];
  readonly imageOrientationPatient?: [number, number, number, number, number, number];
  /** RT Dose frame offsets along the slice normal (mm). */
  readonly gridFrameOffsetVector?: number[];
  readonly sopClassUid?: string;
  readonly patientId?: string;
  readonly studyInstanceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly sopInstanceUid?: string;
  readonly frameOfReferenceUid?: string;
  readonly instanceNumber?: number;
}

function numbers(ds: DataSet, tag: string): number[] | undefined {
  const n = ds.numStringValues(tag);
  if (n === undefined || n === 0) return undefined;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = ds.floatString(tag, i);
    if (v === undefined || !Number.isFinite(v)) return undefined;
    out.push(v);
  }
  return out;
}

function one(ds: DataSet, tag: string): number | undefined {
  return numbers(ds, tag)?.[0];
}

function text(ds: DataSet, tag: string): string | undefined {
  const s = ds.string(tag);
  return s === undefined || s === '' ? undefined : s.replace(/\0/g, '').trim();
}

/** Optional fields go in only when present (exactOptionalPropertyTypes-friendly). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Reads the image attributes; a missing or invalid required attribute throws an Error naming its tag. */
export function readImageAttributes(ds: DataSet): DicomImageAttributes {
  const required = (tag: string, name: string): number => {
    const v = ds.uint16(tag);
    if (v === undefined) throw new Error(`missing ${name} (${tag.slice(1, 5).toUpperCase()},${tag.slice(5).toUpperCase()})`);
    return v;
  };
  const rows = required('x00280010', 'Rows');
  const columns = required('x00280011', 'Columns');
  const bitsAllocated = required('x00280100', 'BitsAllocated');
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  const framesText = ds.string('x00280008');
  const frames = framesText === undefined || framesText.trim() === '' ? 1 : Number(framesText);
  if (!Number.isInteger(frames) || frames < 1) throw new Error(`invalid NumberOfFrames (0028,0008) '${framesText}'`);
  const spacing = numbers(ds, 'x00280030') ?? numbers(ds, 'x00181164');
  const ipp = numbers(ds, 'x00200032');
  const iop = numbers(ds, 'x00200037');
  const instanceNumber = ds.intString('x00200013');
  return {
    rows,
    columns,
    frames,
    samplesPerPixel: ds.uint16('x00280002') ?? 1,
    bitsAllocated,
    bitsStored,
    highBit: ds.uint16('x00280102') ?? bitsStored - 1,
    pixelRepresentation: ds.uint16('x00280103') === 1 ? 1 : 0,
    photometric: text(ds, 'x00280004') ?? 'MONOCHROME2',
    planarConfiguration: ds.uint16('x00280006') === 1 ? 1 : 0,
    rescaleSlope: one(ds, 'x00281053') ?? 1,
    rescaleIntercept: one(ds, 'x00281052') ?? 0,
    ...opt('rescaleType', text(ds, 'x00281054')),
    ...opt('doseGridScaling', one(ds, 'x3004000e')),
    ...opt('modality', text(ds, 'x00080060')),
    ...opt('windowCenter', numbers(ds, 'x00281050')),
    ...opt('windowWidth', numbers(ds, 'x00281051')),
    ...opt('pixelSpacing', spacing !== undefined && spacing.length >= 2 ? ([spacing[0], spacing[1]] as [number, number]) : undefined),
    ...opt('sliceThickness', one(ds, 'x00180050')),
    ...opt('spacingBetweenSlices', one(ds, 'x00180088')),
    ...opt('imagePositionPatient', ipp !== undefined && ipp.length === 3 ? (ipp as [number, number, number]) : undefined),
    ...opt('imageOrientationPatient', iop !== undefined && iop.length === 6 ? (iop as DicomImageAttributes['imageOrientationPatient']) : undefined),
    ...opt('gridFrameOffsetVector', numbers(ds, 'x3004000c')),
    ...opt('sopClassUid', text(ds, 'x00080016')),
    ...opt('patientId', text(ds, 'x00100020')),
    ...opt('studyInstanceUid', text(ds, 'x0020000d')),
    ...opt('seriesInstanceUid', text(ds, 'x0020000e')),
    ...opt('sopInstanceUid', text(ds, 'x00080018')),
    ...opt('frameOfReferenceUid', text(ds, 'x00200052')),
    ...opt('instanceNumber', instanceNumber !== undefined && Number.isFinite(instanceNumber) ? instanceNumber : undefined),
  };
}
