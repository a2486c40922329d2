import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import type { ImageVolume } from './types.js';

/** Summary of a decoded pixel array, in modality units (see docs/data.md, "medtl inspect"). */
export interface PixelStats {
  readonly count: number;
  /** Values that are NaN; min, max and mean skip them. */
  readonly nanCount: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  /** sha256 (hex) of the pixel array as little-endian float32, C order over `shape`. */
  readonly sha256: string;
}

/** min, max, mean (float64 accumulation over the float32 values) and the sha256 of the float32 LE bytes. */
export function pixelStats(volume: Pick<ImageVolume, 'data'>): PixelStats {
  const { data } = volume;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isNaN(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  let bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (endianness() !== 'LE') {
    bytes = new Uint8Array(bytes);
    for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  }
  return {
    count: data.length,
    nanCount: data.length - n,
    min: n > 0 ? min : null,
    max: n > 0 ? max : null,
    mean: n > 0 ? sum / n : null,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}
