import type { Sample } from '../data/types.js';

/** Mean and standard deviation of windowed, resampled training values, and how many inputs gave them. */
export interface IntensityStats {
  readonly channels: number;
  readonly mean: number;
  readonly sd: number;
  readonly nFit: number;
}

/**
 * Fits intensity statistics shared by the 2-D image and 3-D volume preprocessors: every training
 * sample's input (picked by `pick`) is windowed and resampled by `resize`, then pooled.
 */
export function fitIntensity<T extends { readonly channels: number }>(
  train: readonly Sample[],
  what: 'image' | 'volume',
  pick: (s: Sample) => T | undefined,
  resize: (x: T) => Float32Array,
): IntensityStats {
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  let channels = -1;
  let nFit = 0;
  for (const s of train) {
    const x = pick(s);
    if (!x) continue;
    if (channels === -1) channels = x.channels;
    else if (x.channels !== channels) throw new Error(`subject ${s.siteId}/${s.subjectId}: ${what} has ${x.channels} channels, others have ${channels}`);
    const v = resize(x);
    for (let i = 0; i < v.length; i++) {
      sum += v[i];
      sumSq += v[i] * v[i];
    }
    count += v.length;
    nFit++;
  }
  if (nFit === 0) throw new Error(`cannot fit the ${what} preprocessor: no training sample has ${what === 'image' ? 'an image' : 'a volume'}`);
  const mean = sum / count;
  return { channels, mean, sd: Math.sqrt(Math.max(sumSq / count - mean * mean, 1e-12)), nFit };
}

/** Standardises one resampled input into `out` at `offset`; a missing input encodes as zeros (the training mean). */
export function standardiseInto<T extends { readonly channels: number }>(
  x: T | undefined,
  what: 'image' | 'volume',
  stats: Pick<IntensityStats, 'channels' | 'mean' | 'sd'>,
  dim: number,
  resize: (x: T) => Float32Array,
  out: Float32Array,
  offset: number,
): void {
  if (!x) {
    out.fill(0, offset, offset + dim);
    return;
  }
  if (x.channels !== stats.channels) throw new Error(`${what} has ${x.channels} channels, preprocessor was fitted on ${stats.channels}`);
  const v = resize(x);
  const { mean, sd } = stats;
  for (let i = 0; i < v.length; i++) out[offset + i] = (v[i] - mean) / sd;
}
