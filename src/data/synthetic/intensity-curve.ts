import type { IntensityCurveSpec } from './spec.js';

// The curve is the gamma curve v^gamma on the upper half of its domain, v = (1 + u) / 2 in [0.5, 1],
// rescaled so that the window's ends map to themselves. On that half the slope of v^gamma stays
// between gamma 0.5^(gamma-1) and gamma, never 0 or infinite as it is at v = 0, so the curve and
// its inverse are both Lipschitz: nothing is squeezed below float precision, so nothing is lost.

/** Slope of the normalised curve h at the window's ends: d h / d u at u = 0 and u = 1. */
function endSlopes(gamma: number): { at0: number; at1: number } {
  const base = 0.5 ** gamma;
  return { at0: (gamma * 0.5 ** (gamma - 1)) / 2 / (1 - base), at1: gamma / 2 / (1 - base) };
}

/** The normalised curve h(u): h(0) = 0, h(1) = 1, gamma on [0, 1], linear with the end slopes outside. */
function curveUnit(u: number, gamma: number): number {
  const { at0, at1 } = endSlopes(gamma);
  if (u < 0) return at0 * u;
  if (u > 1) return 1 + at1 * (u - 1);
  const base = 0.5 ** gamma;
  return (((1 + u) / 2) ** gamma - base) / (1 - base);
}

function inverseUnit(h: number, gamma: number): number {
  const { at0, at1 } = endSlopes(gamma);
  if (h < 0) return h / at0;
  if (h > 1) return 1 + (h - 1) / at1;
  const base = 0.5 ** gamma;
  return 2 * (h * (1 - base) + base) ** (1 / gamma) - 1;
}

/** The scanner's transfer curve applied to one intensity in HU (strictly increasing; `lo` and `hi` are fixed points). */
export function applyIntensityCurve(x: number, c: IntensityCurveSpec): number {
  if (c.gamma === 1) return x;
  const w = c.hi - c.lo;
  return c.lo + w * curveUnit((x - c.lo) / w, c.gamma);
}

/** The exact inverse of `applyIntensityCurve`: recovers the linear intensity from a curved one. */
export function invertIntensityCurve(y: number, c: IntensityCurveSpec): number {
  if (c.gamma === 1) return y;
  const w = c.hi - c.lo;
  return c.lo + w * inverseUnit((y - c.lo) / w, c.gamma);
}

/** The smallest and largest slope of the curve over all intensities (its inverse's are their reciprocals). */
export function intensityCurveSlopeRange(c: IntensityCurveSpec): { min: number; max: number } {
  const { at0, at1 } = endSlopes(c.gamma);
  return { min: Math.min(at0, at1), max: Math.max(at0, at1) };
}

/** The curve's slope at one intensity in HU (how much it stretches pixel noise there). */
export function intensityCurveSlope(x: number, c: IntensityCurveSpec): number {
  if (c.gamma === 1) return 1;
  const u = (x - c.lo) / (c.hi - c.lo);
  const { at0, at1 } = endSlopes(c.gamma);
  if (u < 0) return at0;
  if (u > 1) return at1;
  const base = 0.5 ** c.gamma;
  return ((c.gamma / 2) * ((1 + u) / 2) ** (c.gamma - 1)) / (1 - base);
}
