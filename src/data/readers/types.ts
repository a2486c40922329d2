/** The name of the reader that decoded an image: a built-in one, or a reader registered with registerImageReader. */
export type ImageFormat = 'nifti' | 'png' | 'jpeg' | 'npz' | 'dicom' | (string & {});

/**
 * The name of one axis of a decoded image: spatial x (columns), y (rows), z (slices or frames); NIfTI's
 * time t and higher dimensions u, v, w; n the index of an image in a stack (npz); c the channel.
 */
export type ImageAxis = 'x' | 'y' | 'z' | 't' | 'u' | 'v' | 'w' | 'n' | 'c';

/**
 * Where the voxels of a volume sit in patient space. The affine maps a voxel index (i, j, k, 1), with
 * i along the x axis, j along y and k along z of `ImageLayout.axes`, to a point in mm in `space`.
 */
export interface VolumeGeometry {
  /** NIfTI's RAS+ (x to the right, y anterior, z superior) or DICOM's LPS+ patient coordinates. */
  readonly space: 'RAS' | 'LPS';
  /** Row-major 4x4 voxel-to-patient matrix in mm; the last row is [0, 0, 0, 1]. */
  readonly affine: readonly (readonly number[])[];
  /** Voxel size in mm along i, j, k: the lengths of the affine's first three columns. */
  readonly spacing: readonly [number, number, number];
  /** Unit direction of i, j and k in `space`: the affine's columns divided by the spacing. */
  readonly orientation: readonly (readonly [number, number, number])[];
  /** The nearest anatomical direction of i, j, k as letters, e.g. 'RAS' or 'LPS' (nibabel's aff2axcodes). */
  readonly axisCodes: string;
  /** What the affine was built from: NIfTI sform, qform or pixdim alone; DICOM ImagePositionPatient with ImageOrientationPatient. */
  readonly source: 'sform' | 'qform' | 'pixdim' | 'dicom';
}

/** How the values of an ImageVolume are laid out, so consumers need not guess it from the format. */
export interface ImageLayout {
  /** The axis of each entry of `shape`, slowest first, e.g. ['y', 'x'], ['z', 'y', 'x'], ['y', 'x', 'c']. */
  readonly axes: readonly ImageAxis[];
  /** Values per pixel: 1 for grey, 3 for RGB, 4 for RGBA. */
  readonly channels: number;
  /** Index of the channel axis in `shape`; null where there is none (one channel). */
  readonly channelAxis: number | null;
  /** Voxel-to-patient geometry, where the file gives it (NIfTI always, DICOM with position, orientation and spacing). */
  readonly geometry?: VolumeGeometry;
}

/**
 * A decoded image or volume. `data` is C (row-major) order over `shape`, slowest axis first:
 * NIfTI [z, y, x] or [t, z, y, x]; PNG/JPEG [height, width, channels]; npz the array's own shape;
 * DICOM [rows, cols] or [frames, rows, cols] (a stacked series [slices, rows, cols]), plus a trailing 3 for colour.
 * Values are in modality units, i.e. after any rescale (NIfTI scl_slope/scl_inter, DICOM RescaleSlope/Intercept).
 */
export interface ImageVolume {
  readonly format: ImageFormat;
  readonly shape: number[];
  /** The axes, channels and (for volumes) geometry of `shape`. */
  readonly layout: ImageLayout;
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

/** Options of readImageFile, passed to the reader. */
export interface ReadImageOptions {
  /** For .npz: which array to load (default: see defaultNpzArray). */
  readonly array?: string;
}

/**
 * One image file format: how to recognise it and how to decode it. Built-in readers live in
 * src/data/readers/ (one file each); others join through registerImageReader.
 */
export interface ImageReader {
  /** The format name, as ImageVolume.format, detectImageFormat and `medtl inspect` give it. */
  readonly name: string;
  /** What it reads, for the list of readers in an unknown-format error, e.g. 'PNG'. */
  readonly description: string;
  /** File-name endings (lower case, with the dot) it claims when no reader recognises the content, e.g. '.nii.gz'. */
  readonly extensions: readonly string[];
  /** Whether the content is this format, from its first bytes (magic numbers); `path` only where the content alone cannot say. */
  sniff(bytes: Uint8Array, path: string): boolean;
  /** Decodes the whole file; errors are ImageReadErrors whose message starts with `path`. */
  read(bytes: Uint8Array, path: string, options: ReadImageOptions): Promise<ImageVolume>;
}

/** Thrown for an unreadable, corrupt or unsupported image file; the message starts with the file name. */
export class ImageReadError extends Error {
  override readonly name = 'ImageReadError';
}
