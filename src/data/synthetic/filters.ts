import type { Rng } from '../../util/random.js';

/** A normalised 1-D Gaussian kernel of radius ceil(3 sigma); sigma <= 0 gives the identity [1]. */
export function gaussianKernel1d(sigma: number): Float32Array {
  if (!(sigma > 0)) return Float32Array.of(1);
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    k[i + radius] = v;
    sum += v;
  }
  for (let i = 0; i < k.length; i++) k[i] /= sum;
  return k;
}

/**
 * Gaussian blur of a row-major height x width image as two 1-D passes (rows, then columns).
 * Borders replicate the edge pixel, so a uniform image stays uniform (no dark or bright frame).
 */
export function gaussianBlur(src: Float32Array, height: number, width: number, sigma: number): Float32Array {
  if (src.length !== height * width) throw new Error(`gaussianBlur: ${src.length} values for ${height}x${width}`);
  const k = Float64Array.from(gaussianKernel1d(sigma));
  if (k.length === 1) return src.slice();
  const r = (k.length - 1) / 2;
  const taps = k.length;
  // Intermediates are float64: V8 reads and writes them without float32 rounding, which is measurably faster.
  const tmp = new Float64Array(src.length);
  // Rows: copy each row into an edge-replicated buffer so the inner loop has no bounds checks.
  const line = new Float64Array(width + 2 * r);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let i = 0; i < r; i++) {
      line[i] = src[row];
      line[r + width + i] = src[row + width - 1];
    }
    for (let x = 0; x < width; x++) line[r + x] = src[row + x];
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let j = 0; j < taps; j++) acc += k[j] * line[x + j];
      tmp[row + x] = acc;
    }
  }
  // Columns: accumulate whole rows into a float64 row, which walks memory contiguously.
  const out = new Float32Array(src.length);
  const acc = new Float64Array(width);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (let j = 0; j < taps; j++) {
      const yy = Math.min(height - 1, Math.max(0, y + j - r));
      const w = k[j];
      const from = yy * width;
      for (let x = 0; x < width; x++) acc[x] += w * tmp[from + x];
    }
    out.set(acc, y * width);
  }
  return out;
}

/**
 * A smooth random field with roughly unit standard deviation: white noise blurred at `sigma` pixels,
 * rescaled by the analytic factor 2 sigma sqrt(pi) (the sd of blurred unit white noise is 1/(2 sigma sqrt(pi))).
 */
export function smoothNoiseField(rng: Rng, height: number, width: number, sigma: number): Float32Array {
  const noise = new Float32Array(height * width);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
  if (!(sigma > 0.5)) return noise;
  const field = gaussianBlur(noise, height, width, sigma);
  const gain = 2 * sigma * Math.sqrt(Math.PI);
  for (let i = 0; i < field.length; i++) field[i] *= gain;
  return field;
}
