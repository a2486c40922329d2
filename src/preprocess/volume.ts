import { fitIntensity, standardiseInto } from './intensity.js';
import type { Sample, Volume } from '../data/types.js';

/** Options for the volume preprocessor (the cnn3d encoder's input). */
export interface VolumePreprocessOptions {
  /** Intensity window [lo, hi] in modality units (HU for CT); values are clipped into it. */
  readonly window: readonly [number, number];
  /** Output [depth, height, width]; volumes are resampled trilinearly to it. */
  readonly size: readonly [number, number, number];
}

/** Serialisable state of a fitted volume preprocessor. */
export interface VolumePreprocessorState {
  readonly type: 'volume';
  readonly version: 1;
  readonly window: readonly [number, number];
  readonly size: readonly [number, number, number];
  readonly channels: number;
  /** Mean and standard deviation of windowed, resampled training voxels. */
  readonly mean: number;
  readonly sd: number;
  readonly nFit: number;
}

/** A volume preprocessor fitted on training volumes: window, resample, standardise. */
export class FittedVolume {
  /** Wraps a fitted state; use fitVolume() or FittedVolume.fromJSON() to obtain one. */
  constructor(readonly state: VolumePreprocessorState) {}

  /** Output shape [depth, height, width, channels]. */
  get shape(): [number, number, number, number] {
    const [d, h, w] = this.state.size;
    return [d, h, w, this.state.channels];
  }

  /** Number of floats per preprocessed volume. */
  get dim(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Preprocesses one volume into `out` at `offset`; a missing volume encodes as zeros (the training mean). */
  applyInto(volume: Volume | undefined, out: Float32Array, offset: number): void {
    standardiseInto(volume, 'volume', this.state, this.dim, (x) => windowAndResizeVolume(x, this.state.window, this.state.size), out, offset);
  }


  /** Preprocesses one volume into a new array. */
  apply(volume: Volume | undefined): Float32Array {
    const out = new Float32Array(this.dim);
    this.applyInto(volume, out, 0);
    return out;
  }

  /** The JSON-serialisable state, for saving beside a model. */
  toJSON(): VolumePreprocessorState {
    return this.state;
  }

  /** Restores a fitted preprocessor from its saved state. */
  static fromJSON(state: VolumePreprocessorState): FittedVolume {
    if (state.type !== 'volume' || state.version !== 1) throw new Error(`not a volume preprocessor state (type=${state.type}, version=${state.version})`);
    return new FittedVolume(state);
  }
}

/** Fits intensity statistics on training volumes only. */
export function fitVolume(train: readonly Sample[], opts: VolumePreprocessOptions): FittedVolume {
  if (!(opts.window[1] > opts.window[0])) throw new Error(`volume window must be [lo, hi] with lo < hi, got [${opts.window.join(', ')}]`);
  if (opts.size.length !== 3 || !opts.size.every((s) => Number.isInteger(s) && s >= 1)) throw new Error(`volume size must be [depth, height, width] of positive integers, got [${opts.size.join(', ')}]`);
  const { channels, mean, sd, nFit } = fitIntensity(train, 'volume', (s) => s.volume, (x) => windowAndResizeVolume(x, opts.window, opts.size));
  const [d, h, w] = opts.size;
  return new FittedVolume({ type: 'volume', version: 1, window: [opts.window[0], opts.window[1]], size: [d, h, w], channels, mean, sd, nFit });
}

/** Clips to the window and resamples a DHWC volume to size [d, h, w] trilinearly (voxel centres aligned, edges clamped). */
export function windowAndResizeVolume(volume: Volume, window: readonly [number, number], size: readonly [number, number, number]): Float32Array {
  const { depth: D, height: H, width: W, channels: c, data } = volume;
  if (data.length !== D * H * W * c) throw new Error(`volume data has ${data.length} values, expected ${D}x${H}x${W}x${c}`);
  const [lo, hi] = window;
  const clip = (v: number): number => (v < lo ? lo : v > hi ? hi : v);
  const [d, h, w] = size;
  // Per output index along one axis: the two source indices and the weight of the second.
  const axis = (n: number, src: number): { i0: Int32Array; i1: Int32Array; t: Float32Array } => {
    const i0 = new Int32Array(n);
    const i1 = new Int32Array(n);
    const t = new Float32Array(n);
    const scale = src / n;
    for (let k = 0; k < n; k++) {
      const f = Math.min(Math.max((k + 0.5) * scale - 0.5, 0), src - 1);
      i0[k] = Math.floor(f);
      i1[k] = Math.min(i0[k] + 1, src - 1);
      t[k] = f - i0[k];
    }
    return { i0, i1, t };
  };
  const az = axis(d, D);
  const ay = axis(h, H);
  const ax = axis(w, W);
  const at = (z: number, y: number, x: number, ch: number): number => clip(data[((z * H + y) * W + x) * c + ch]);
  const out = new Float32Array(d * h * w * c);
  let o = 0;
  for (let z = 0; z < d; z++) {
    const [z0, z1, tz] = [az.i0[z], az.i1[z], az.t[z]];
    for (let y = 0; y < h; y++) {
      const [y0, y1, ty] = [ay.i0[y], ay.i1[y], ay.t[y]];
      for (let x = 0; x < w; x++) {
        const [x0, x1, tx] = [ax.i0[x], ax.i1[x], ax.t[x]];
        for (let ch = 0; ch < c; ch++) {
          const plane = (zz: number): number =>
            (at(zz, y0, x0, ch) * (1 - tx) + at(zz, y0, x1, ch) * tx) * (1 - ty) + (at(zz, y1, x0, ch) * (1 - tx) + at(zz, y1, x1, ch) * tx) * ty;
          out[o++] = plane(z0) * (1 - tz) + plane(z1) * tz;
        }
      }
    }
  }
  return out;
}
