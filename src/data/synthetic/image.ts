import type { Rng } from '../../util/random.js';
import { smoothNoiseField } from './filters.js';
import type { SubjectLatents } from './latent.js';

/** Side of the square patch in mm; fixed so that imageSize changes resolution, not anatomy. */
export const FIELD_OF_VIEW_MM = 64;

/** Nominal tissue densities in HU. */
const HU = Object.freeze({ lung: -850, solid: 25, groundGlass: -600, vessel: 40, spicule: -80, air: -950 });

/** Pixel spacing in mm of a patch of the given side. */
export function pixelSpacingMm(imageSize: number): number {
  return FIELD_OF_VIEW_MM / imageSize;
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf), to map latents to bounded appearance parameters. */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

interface Spike {
  ux: number;
  uy: number;
  length: number;
}

interface Blob {
  x: number;
  y: number;
  r: number;
}

/** Everything needed to draw one nodule, in pixel units of the patch. */
interface NoduleGeometry {
  cx: number;
  cy: number;
  radius: number;
  cosRot: number;
  sinRot: number;
  aspect: number;
  harmonics: { k: number; a: number; cosPhi: number; sinPhi: number }[];
  spikes: Spike[];
  spikeWidth: number;
  coreFraction: number;
  solidHu: number;
  glassHu: number;
  heterogeneityHu: number;
  bubbles: Blob[];
}

/** Maps latents (size, margin, texture) plus nuisance draws (position, shape, orientation) to pixel geometry. */
function noduleGeometry(lat: SubjectLatents, size: number, rng: Rng): NoduleGeometry {
  // Widths below are tuned at 64 px; `scale` (64-px pixels per pixel here) keeps anatomy size-independent.
  const scale = 64 / size;
  const radius = lat.diameterMm / 2 / pixelSpacingMm(size);
  const jitter = size / 8;
  const m = normalCdf(lat.margin);
  const t = normalCdf(lat.texture);
  const rot = rng.range(0, Math.PI);
  const lobAmp = 0.03 + 0.2 * m * m;
  const harmonics = [];
  for (let k = 2; k <= 6; k++) {
    const phi = rng.range(0, 2 * Math.PI);
    harmonics.push({ k, a: (lobAmp * Math.abs(rng.normal(0.8, 0.4))) / Math.sqrt(k - 1), cosPhi: Math.cos(phi), sinPhi: Math.sin(phi) });
  }
  // Spicules appear only past a margin threshold and multiply with it: smooth nodules stay smooth.
  const nSpikes = Math.floor(16 * Math.max(0, m - 0.3) + rng.uniform());
  const spikes: Spike[] = [];
  for (let i = 0; i < nSpikes; i++) {
    const a = rng.range(0, 2 * Math.PI);
    spikes.push({ ux: Math.cos(a), uy: Math.sin(a), length: (radius * (0.35 + 0.9 * m) + 2 / scale) * rng.range(0.6, 1.3) });
  }
  const coreFraction = clamp(1.1 - 0.8 * t, 0.3, 1);
  const nBubbles = Math.floor(4 * t * t + rng.uniform());
  const bubbles: Blob[] = [];
  for (let i = 0; i < nBubbles; i++) {
    const a = rng.range(0, 2 * Math.PI);
    const d = rng.range(0, 0.6) * radius;
    bubbles.push({ x: d * Math.cos(a), y: d * Math.sin(a), r: Math.max(0.6, rng.range(0.08, 0.2) * radius) });
  }
  return {
    cx: size / 2 + rng.range(-jitter, jitter),
    cy: size / 2 + rng.range(-jitter, jitter),
    radius,
    cosRot: Math.cos(rot),
    sinRot: Math.sin(rot),
    aspect: rng.range(0.8, 1),
    harmonics,
    spikes,
    spikeWidth: Math.max(0.45, 0.5 / scale),
    coreFraction,
    solidHu: rng.normal(HU.solid, 12),
    glassHu: clamp(rng.normal(HU.groundGlass, 40), -720, -450),
    heterogeneityHu: 20 + 140 * t,
    bubbles,
  };
}

/** Adds 0-2 vessels: bright, slightly curved tubes that pass beside the nodule (nuisance structure). */
function drawVessels(img: Float32Array, size: number, g: NoduleGeometry, rng: Rng): void {
  const spacing = pixelSpacingMm(size);
  const scale = 64 / size;
  const u = rng.uniform();
  const count = u < 0.4 ? 0 : u < 0.8 ? 1 : 2;
  for (let v = 0; v < count; v++) {
    const angle = rng.range(0, Math.PI);
    const ax = Math.cos(angle);
    const ay = Math.sin(angle);
    // Keep the vessel off the nodule so it does not fake a spicule; the side is random.
    const offset = (g.radius * 1.6 + rng.range(3 / scale, size / 3)) * (rng.bernoulli(0.5) ? 1 : -1);
    const curvature = rng.range(-0.002, 0.002) * scale;
    const sigma = rng.range(0.5, 1.1) / spacing;
    const strength = rng.range(0.5, 0.85);
    const cutoff = 4 * sigma;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const dx = x + 0.5 - g.cx;
        const dy = y + 0.5 - g.cy;
        const along = dx * ax + dy * ay;
        const perp = -dx * ay + dy * ax - offset - curvature * along * along;
        if (perp > cutoff || perp < -cutoff) continue;
        const i = y * size + x;
        img[i] += (HU.vessel - img[i]) * strength * Math.exp(-(perp * perp) / (2 * sigma * sigma));
      }
    }
  }
}

/** Draws the nodule (body, part-solid core, heterogeneity, lucencies, spicules) over the background. */
function drawNodule(img: Float32Array, size: number, g: NoduleGeometry, rng: Rng): void {
  const maxSpike = g.spikes.reduce((mx, s) => Math.max(mx, s.length), 0);
  const reach = g.radius * 1.6 + maxSpike + 3;
  const x0 = Math.max(0, Math.floor(g.cx - reach));
  const x1 = Math.min(size - 1, Math.ceil(g.cx + reach));
  const y0 = Math.max(0, Math.floor(g.cy - reach));
  const y1 = Math.min(size - 1, Math.ceil(g.cy + reach));
  // Fine heterogeneity is only seen inside the body, so its noise field covers the body's box only.
  const bodyReach = Math.ceil(g.radius * 1.6 + 2);
  const tx0 = Math.floor(g.cx) - bodyReach;
  const ty0 = Math.floor(g.cy) - bodyReach;
  const tSide = 2 * bodyReach + 1;
  const texture = smoothNoiseField(rng, tSide, tSide, 0.8 * (size / 64));
  const edge = 0.45;
  const w2 = 2 * g.spikeWidth * g.spikeWidth;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - g.cx;
      const dy = y + 0.5 - g.cy;
      // Rotate, then stretch one axis: elongated, arbitrarily oriented nodules.
      const xr = dx * g.cosRot + dy * g.sinRot;
      const yr = (-dx * g.sinRot + dy * g.cosRot) / g.aspect;
      const rho = Math.sqrt(xr * xr + yr * yr);
      const c1 = rho > 1e-9 ? xr / rho : 1;
      const s1 = rho > 1e-9 ? yr / rho : 0;
      // Boundary radius r(theta) = R (1 + sum a_k cos(k theta + phi_k)), with cos/sin(k theta) by recurrence.
      let ck = c1;
      let sk = s1;
      let lob = 0;
      for (let k = 2; k <= 6; k++) {
        const cn = ck * c1 - sk * s1;
        const sn = sk * c1 + ck * s1;
        ck = cn;
        sk = sn;
        const h = g.harmonics[k - 2];
        lob += h.a * (ck * h.cosPhi - sk * h.sinPhi);
      }
      const rEdge = g.radius * Math.max(0.4, 1 + lob);
      const body = sigmoid((rEdge - rho) / edge);
      const i = y * size + x;
      const bg = img[i];
      let value = bg;
      if (body > 1e-4) {
        const core = sigmoid((g.coreFraction * rEdge - rho) / edge);
        const tx = x - tx0;
        const ty = y - ty0;
        const het = tx >= 0 && ty >= 0 && tx < tSide && ty < tSide ? texture[ty * tSide + tx] : 0;
        let inside = g.glassHu + (g.solidHu - g.glassHu) * core + g.heterogeneityHu * het;
        for (const b of g.bubbles) {
          const bx = xr - b.x;
          const by = yr - b.y;
          const lucency = sigmoid((b.r - Math.sqrt(bx * bx + by * by)) / edge);
          inside += (HU.air - inside) * 0.8 * lucency;
        }
        value = bg + (inside - bg) * body;
      }
      let spike = 0;
      for (const s of g.spikes) {
        const along = xr * s.ux + yr * s.uy;
        if (along <= 0.5 * g.radius || along >= rEdge + s.length) continue;
        const perp = xr * s.uy - yr * s.ux;
        // Spicules taper: full density at the margin, fading to nothing at their tip.
        const taper = along <= rEdge ? 1 : 1 - (along - rEdge) / s.length;
        const w = Math.exp(-(perp * perp) / w2) * taper;
        if (w > spike) spike = w;
      }
      if (spike > 0) value += (HU.spicule - value) * spike * (1 - body) * 0.9;
      img[i] = value;
    }
  }
}

/** Smooth parenchymal texture with unit sd: noise on a grid 4x coarser, blurred there, upsampled bilinearly (16x cheaper). */
function parenchymaField(rng: Rng, size: number): Float32Array {
  const n = Math.ceil(size / 4) + 2;
  const coarse = smoothNoiseField(rng, n, n, 0.75);
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const fy = (y + 0.5) / 4 + 0.5;
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    for (let x = 0; x < size; x++) {
      const fx = (x + 0.5) / 4 + 0.5;
      const x0 = Math.floor(fx);
      const wx = fx - x0;
      const a = coarse[y0 * n + x0];
      const b = coarse[y0 * n + x0 + 1];
      const c = coarse[(y0 + 1) * n + x0];
      const d = coarse[(y0 + 1) * n + x0 + 1];
      out[y * size + x] = (a * (1 - wx) + b * wx) * (1 - wy) + (c * (1 - wx) + d * wx) * wy;
    }
  }
  return out;
}

/**
 * Renders a noise-free CT-like patch in HU: lung parenchyma with smooth texture and a density gradient,
 * 0-2 vessels, and a nodule whose size, margin and texture follow the latents.
 */
export function renderPatch(lat: SubjectLatents, size: number, rng: Rng): Float32Array {
  const g = noduleGeometry(lat, size, rng);
  const img = parenchymaField(rng, size);
  const gradAngle = rng.range(0, 2 * Math.PI);
  const gradHu = rng.range(0, 25) / size;
  const gx = Math.cos(gradAngle) * gradHu;
  const gy = Math.sin(gradAngle) * gradHu;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      img[i] = HU.lung + 30 * img[i] + gx * (x - size / 2) + gy * (y - size / 2);
    }
  }
  drawVessels(img, size, g, rng);
  drawNodule(img, size, g, rng);
  return img;
}
