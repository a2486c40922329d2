import { fitIntensity, standardiseInto } from './intensity.js';
import type { Image2D, Sample } from '../data/types.js';

/** Options for the image preprocessor. */
export interface ImagePreprocessOptions {
  /** Intensity window [lo, hi] in modality units (HU for CT); values are clipped into it. */
  readonly window: readonly [number, number];
  /** Output side length; images are resampled to size x size. */
  readonly size: number;
}

/** Serialisable state of a fitted image preprocessor. */
export interface ImagePreprocessorState {
  readonly type: 'image';
  readonly version: 1;
  readonly window: readonly [number, number];
  readonly size: number;
  readonly channels: number;
  /** Mean and standard deviation of windowed, resampled training pixels. */
  readonly mean: number;
  readonly sd: number;
  readonly nFit: number;
}

/** An image preprocessor fitted on training images: window, resample, standardise. */
export class FittedImage {
  /** Wraps a fitted state; use fitImage() or FittedImage.fromJSON() to obtain one. */
  constructor(readonly state: ImagePreprocessorState) {}

  /** Output shape [height, width, channels]. */
  get shape(): [number, number, number] {
    return [this.state.size, this.state.size, this.state.channels];
  }

  /** Number of floats per preprocessed image. */
  get dim(): number {
    return this.state.size * this.state.size * this.state.channels;
  }

  /** Preprocesses one image into `out` at `offset`; a missing image encodes as zeros (the training mean). */
  applyInto(image: Image2D | undefined, out: Float32Array, offset: number): void {
    standardiseInto(image, 'image', this.state, this.dim, (x) => windowAndResize(x, this.state.window, this.state.size), out, offset);
  }


  /** Preprocesses one image into a new array. */
  apply(image: Image2D | undefined): Float32Array {
    const out = new Float32Array(this.dim);
    this.applyInto(image, out, 0);
    return out;
  }

  /** The JSON-serialisable state, for saving beside a model. */
  toJSON(): ImagePreprocessorState {
    return this.state;
  }

  /** Restores a fitted preprocessor from its saved state. */
  static fromJSON(state: ImagePreprocessorState): FittedImage {
    if (state.type !== 'image' || state.version !== 1) throw new Error(`not an image preprocessor state (type=${state.type}, version=${state.version})`);
    return new FittedImage(state);
  }
}

/** Fits intensity statistics on training images only. */
export function fitImage(train: readonly Sample[], opts: ImagePreprocessOptions): FittedImage {
  if (!(opts.window[1] > opts.window[0])) throw new Error(`image window must be [lo, hi] with lo < hi, got [${opts.window.join(', ')}]`);
  if (!Number.isInteger(opts.size) || opts.size < 4) throw new Error(`image size must be an integer >= 4, got ${opts.size}`);
  const { channels, mean, sd, nFit } = fitIntensity(train, 'image', (s) => s.image, (x) => windowAndResize(x, opts.window, opts.size));
  return new FittedImage({ type: 'image', version: 1, window: [opts.window[0], opts.window[1]], size: opts.size, channels, mean, sd, nFit });
}

/** Clips to the window and resamples to size x size (area average for integer downscale, bilinear otherwise). */
export function windowAndResize(image: Image2D, window: readonly [number, number], size: number): Float32Array {
  const { height: h, width: w, channels: c, data } = image;
  if (data.length !== h * w * c) throw new Error(`image data has ${data.length} values, expected ${h}x${w}x${c}`);
  const [lo, hi] = window;
  const out = new Float32Array(size * size * c);
  const clip = (v: number): number => (v < lo ? lo : v > hi ? hi : v);
  if (h % size === 0 && w % size === 0) {
    const fy = h / size;
    const fx = w / size;
    const norm = 1 / (fy * fx);
    if (c === 1 && fy === 2 && fx === 2) {
      // The common 2x2 single-channel case unrolled, adding in the general loop's order (same values).
      for (let y = 0; y < size; y++) {
        const r0 = 2 * y * w;
        const r1 = r0 + w;
        for (let x = 0; x < size; x++) {
          const i = 2 * x;
          out[y * size + x] = (0 + clip(data[r0 + i]) + clip(data[r0 + i + 1]) + clip(data[r1 + i]) + clip(data[r1 + i + 1])) * norm;
        }
      }
      return out;
    }
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let dy = 0; dy < fy; dy++) {
            const row = (y * fy + dy) * w;
            for (let dx = 0; dx < fx; dx++) s += clip(data[(row + x * fx + dx) * c + ch]);
          }
          out[(y * size + x) * c + ch] = s * norm;
        }
      }
    }
    return out;
  }
  const sy = h / size;
  const sx = w / size;
  for (let y = 0; y < size; y++) {
    const yf = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(yf);
    const y1 = Math.min(y0 + 1, h - 1);
    const ty = yf - y0;
    for (let x = 0; x < size; x++) {
      const xf = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(xf);
      const x1 = Math.min(x0 + 1, w - 1);
      const tx = xf - x0;
      for (let ch = 0; ch < c; ch++) {
        const a = clip(data[(y0 * w + x0) * c + ch]);
        const b = clip(data[(y0 * w + x1) * c + ch]);
        const d = clip(data[(y1 * w + x0) * c + ch]);
        const e = clip(data[(y1 * w + x1) * c + ch]);
        out[(y * size + x) * c + ch] = (a * (1 - tx) + b * tx) * (1 - ty) + (d * (1 - tx) + e * tx) * ty;
      }
    }
  }
  return out;
}
