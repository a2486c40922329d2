import type { Rng } from '../../util/random.js';
import { gaussianBlur } from './filters.js';
import { pixelSpacingMm } from './image.js';
import { applyIntensityCurve } from './intensity-curve.js';
import type { SyntheticSiteSpec } from './spec.js';

/**
 * Applies a site's scanner to a noise-free HU patch: point-spread blur (site sigma in mm), then gain
 * and offset (calibration drift), then additive Gaussian noise, then the site's transfer curve when it
 * has one. Returns a new array.
 */
export function applyScanner(hu: Float32Array, size: number, site: SyntheticSiteSpec, rng: Rng): Float32Array {
  const out = gaussianBlur(hu, size, size, site.blurSigma / pixelSpacingMm(size));
  const curve = site.intensityCurve;
  for (let i = 0; i < out.length; i++) {
    const linear = site.intensityScale * out[i] + site.intensityOffset + rng.normal(0, site.noiseSd);
    // The curve acts on the double, so the stored float32 is rounded once and its inverse recovers `linear` to float32 precision.
    out[i] = curve ? applyIntensityCurve(linear, curve) : linear;
  }
  return out;
}
