import type { Rng } from '../../util/random.js';
import { gaussianBlur } from './filters.js';
import { pixelSpacingMm } from './image.js';
import type { SyntheticSiteSpec } from './spec.js';

/**
 * Applies a site's scanner to a noise-free HU patch: point-spread blur (site sigma in mm), then gain
 * and offset (calibration drift), then additive Gaussian noise. Returns a new array.
 */
export function applyScanner(hu: Float32Array, size: number, site: SyntheticSiteSpec, rng: Rng): Float32Array {
  const out = gaussianBlur(hu, size, size, site.blurSigma / pixelSpacingMm(size));
  for (let i = 0; i < out.length; i++) {
    out[i] = site.intensityScale * out[i] + site.intensityOffset + rng.normal(0, site.noiseSd);
  }
  return out;
}
