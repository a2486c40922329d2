import type { Rng } from '../util/random.js';

/**
 * Applies a random one of the 8 dihedral transforms (rotations by 90° and flips) to each square
 * NHWC image in place. Nodule findings do not depend on orientation, so these are label-preserving.
 */
export function dihedralAugment(data: Float32Array, n: number, h: number, w: number, c: number, rng: Rng): void {
  if (h !== w) throw new Error(`dihedral augmentation needs square images, got ${h}x${w}`);
  const size = h * w * c;
  const tmp = new Float32Array(size);
  for (let i = 0; i < n; i++) {
    const t = rng.int(8);
    if (t === 0) continue;
    const img = data.subarray(i * size, (i + 1) * size);
    tmp.set(img);
    const map = sourcePixels(t, h);
    if (c === 1) {
      for (let p = 0; p < map.length; p++) img[p] = tmp[map[p]];
      continue;
    }
    for (let p = 0; p < map.length; p++) {
      const dst = p * c;
      const src = map[p] * c;
      for (let ch = 0; ch < c; ch++) img[dst + ch] = tmp[src + ch];
    }
  }
}

const maps = new Map<string, Int32Array>();

/** For transform t of an h×h image: the source pixel of every destination pixel (row-major), cached per (t, h). */
function sourcePixels(t: number, h: number): Int32Array {
  const key = `${t}:${h}`;
  let map = maps.get(key);
  if (map) return map;
  map = new Int32Array(h * h);
  const transpose = (t & 4) !== 0;
  const flipY = (t & 2) !== 0;
  const flipX = (t & 1) !== 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < h; x++) {
      let sy = transpose ? x : y;
      let sx = transpose ? y : x;
      if (flipY) sy = h - 1 - sy;
      if (flipX) sx = h - 1 - sx;
      map[y * h + x] = sy * h + sx;
    }
  }
  // Image sizes in one run are few; the bound only guards a long-lived process against many.
  if (maps.size >= 64) maps.clear();
  maps.set(key, map);
  return map;
}
