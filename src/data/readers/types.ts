/** The image file kinds the readers decode. */
export type ImageFormat = 'nifti' | 'png' | 'jpeg' | 'npz' | 'dicom';

/**
 * A decoded image or volume. `data` is C (row-major) order over `shape`, slowest axis first:
 * NIfTI [z, y, x] or [t, z, y, x]; PNG/JPEG [height, width, channels]; npz the array's own shape;
 * DICOM [rows, cols] or [frames, rows, cols] (a stacked series [slices, rows, cols]), plus a trailing 3 for colour.
 * Values are in modality units, i.e. after any rescale (NIfTI scl_slope/scl_inter, DICOM RescaleSlope/Intercept).
 */
export interface ImageVolume {
  readonly format: ImageFormat;
  readonly shape: number[];
  /**
   * Voxel size per axis of `shape` (mm for spatial axes, seconds for a NIfTI time axis); absent where the file has none.
   * NaN (null in JSON) for an axis without one: a DICOM colour axis, or frames whose spacing the file does not give.
   */
  readonly spacing?: number[];
  readonly data: Float32Array;
  readonly metadata: Record<string, string | number>;
  /** DICOM only: the typed attributes behind `metadata`. */
  readonly dicom?: DicomMetadata;
}

/** What a DICOM reader keeps from the header: how values were produced, the geometry, and the identifiers. */
export interface DicomMetadata {
  readonly transferSyntaxUid: string;
  readonly transferSyntaxName: string;
  /** As stored in (0028,0004). */
  readonly photometricInterpretation: string;
  /** Of the decoded values: 'RGB' for colour (YBR converted), else the stored monochrome kind. */
  readonly photometricOut: string;
  readonly rows: number;
  readonly columns: number;
  readonly frames: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly pixelRepresentation: 0 | 1;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
  readonly rescaleType?: string;
  readonly modality?: string;
  readonly windowCenter?: number[];
  readonly windowWidth?: number[];
  /** [row spacing, column spacing] in mm. */
  readonly pixelSpacing?: readonly [number, number];
  readonly sliceThickness?: number;
  /** Of the first slice, for a stacked series. */
  readonly imagePositionPatient?: readonly [number, number, number];
  readonly imageOrientationPatient?: readonly [number, number, number, number, number, number];
  readonly patientId?: string;
  readonly studyInstanceUid?: string;
  readonly seriesInstanceUid?: string;
  readonly sopInstanceUid?: string;
  readonly frameOfReferenceUid?: string;
  readonly instanceNumber?: number;
}

/** Thrown for an unreadable, corrupt or unsupported image file; the message starts with the file name. */
export class ImageReadError extends Error {
  override readonly name = 'ImageReadError';
}
