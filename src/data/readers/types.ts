/** The image file kinds the readers decode. */
export type ImageFormat = 'nifti' | 'png' | 'jpeg' | 'npz';

/**
 * A decoded image or volume. `data` is C (row-major) order over `shape`, slowest axis first:
 * NIfTI [z, y, x] or [t, z, y, x]; PNG/JPEG [height, width, channels]; npz the array's own shape.
 * Values are in modality units, i.e. after any rescale (NIfTI scl_slope/scl_inter).
 */
export interface ImageVolume {
  readonly format: ImageFormat;
  readonly shape: number[];
  /** Voxel size per axis of `shape` (mm for spatial axes, seconds for a NIfTI time axis); absent where the file has none. */
  readonly spacing?: number[];
  readonly data: Float32Array;
  readonly metadata: Record<string, string | number>;
}

/** Thrown for an unreadable, corrupt or unsupported image file; the message starts with the file name. */
export class ImageReadError extends Error {
  override readonly name = 'ImageReadError';
}
