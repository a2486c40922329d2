import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SYNTHETIC_SITES, simulateSyntheticCohort } from '../../../src/data/synthetic/index.js';
import { applyIntensityCurve, intensityCurveSlope } from '../../../src/data/synthetic/intensity-curve.js';
import type { Sample } from '../../../src/data/types.js';

const { cohort, truth } = simulateSyntheticCohort();
const bySite = (id: string) => cohort.samples.filter((s) => s.siteId === id);

/** Median of each image's pixels (the lung background dominates), averaged over a site. */
function meanMedianIntensity(samples: readonly Sample[]): number {
  let sum = 0;
  for (const s of samples) {
    const v = Float32Array.from(s.image?.data ?? []).sort();
    sum += v[v.length >> 1];
  }
  return sum / samples.length;
}

/**
 * Pixel noise sd, estimated robustly: differences of horizontally adjacent pixels cancel the smooth
 * anatomy, and their median absolute value ignores the few edges (median |N(0, 2 sd^2)| = 0.6745 sqrt(2) sd).
 */
function noiseSdEstimate(samples: readonly Sample[]): number {
  const diffs: number[] = [];
  for (const s of samples) {
    const d = s.image?.data ?? new Float32Array(0);
    for (let y = 0; y < 64; y += 2) for (let x = 0; x < 63; x += 2) diffs.push(Math.abs(d[y * 64 + x + 1] - d[y * 64 + x]));
  }
  diffs.sort((a, b) => a - b);
  return diffs[diffs.length >> 1] / (0.6745 * Math.SQRT2);
}

test('scanner intensity statistics differ across sites as their specs say', () => {
  const stats = DEFAULT_SYNTHETIC_SITES.map((s) => ({ spec: s, median: meanMedianIntensity(bySite(s.id)), noise: noiseSdEstimate(bySite(s.id)) }));
  // The background is about -850 HU before the scanner's gain, offset and transfer curve (a monotone curve keeps the median a median).
  const background = (spec: (typeof DEFAULT_SYNTHETIC_SITES)[number]) => spec.intensityScale * -850 + spec.intensityOffset;
  const curve = (spec: (typeof DEFAULT_SYNTHETIC_SITES)[number], x: number) => (spec.intensityCurve ? applyIntensityCurve(x, spec.intensityCurve) : x);
  for (const { spec, median } of stats) {
    const expected = curve(spec, background(spec));
    assert.ok(Math.abs(median - expected) < 25, `${spec.id}: median ${median.toFixed(0)} HU, expected about ${expected.toFixed(0)}`);
  }
  const medians = stats.map((s) => s.median);
  assert.ok(Math.max(...medians) - Math.min(...medians) > 100, `site medians ${medians.map((m) => m.toFixed(0)).join(', ')}`);
  for (const { spec, noise } of stats) {
    // The curve stretches noise by its slope at the background level.
    const sd = spec.noiseSd * (spec.intensityCurve ? intensityCurveSlope(background(spec), spec.intensityCurve) : 1);
    assert.ok(Math.abs(noise - sd) < 0.2 * sd + 3, `${spec.id}: noise ${noise.toFixed(1)} HU, expected ${sd.toFixed(1)}`);
  }
});

test('family_history is not recorded at hosp_b and present elsewhere', () => {
  assert.ok(bySite('hosp_b').every((s) => s.tabular?.family_history === null));
  for (const id of ['hosp_a', 'hosp_c', 'hosp_d']) {
    const present = bySite(id).filter((s) => s.tabular?.family_history !== null).length / bySite(id).length;
    assert.ok(present > 0.85, `${id}: ${present}`);
  }
});

test('prevalence per site is near its spec (within 3.5 binomial standard deviations)', () => {
  for (const spec of DEFAULT_SYNTHETIC_SITES) {
    const s = bySite(spec.id);
    const p = s.filter((x) => x.label === 1).length / s.length;
    // The label is Bernoulli(sigmoid(intercept + logit)) with the intercept solved for the spec's
    // prevalence, so the count is binomial(n, prevalence) up to the intercept's solving error (<0.005).
    const sd = Math.sqrt((spec.prevalence * (1 - spec.prevalence)) / spec.n);
    assert.ok(Math.abs(p - spec.prevalence) < 3.5 * sd + 0.005, `${spec.id}: ${p.toFixed(3)} vs ${spec.prevalence} (sd ${sd.toFixed(3)})`);
  }
});

test('demographics follow each site spec', () => {
  for (const spec of DEFAULT_SYNTHETIC_SITES) {
    const t = truth.filter((x) => x.siteId === spec.id);
    const age = t.reduce((a, x) => a + x.latents.age, 0) / t.length;
    const female = t.filter((x) => x.latents.female).length / t.length;
    const smoker = t.filter((x) => x.latents.smoker).length / t.length;
    assert.ok(Math.abs(age - spec.ageMean) < (4 * spec.ageSd) / Math.sqrt(t.length), `${spec.id} age ${age}`);
    assert.ok(Math.abs(female - spec.femaleFraction) < 4 * Math.sqrt(0.25 / t.length), `${spec.id} female ${female}`);
    assert.ok(Math.abs(smoker - spec.smokerFraction) < 4 * Math.sqrt(0.25 / t.length), `${spec.id} smoker ${smoker}`);
  }
});

test('missingness is realistic: a few to ~15% per column, pack_years blank more often for never-smokers', () => {
  const recorded = cohort.samples.filter((s) => s.siteId !== 'hosp_b');
  for (const col of cohort.tabularSchema) {
    const rate = recorded.filter((s) => s.tabular?.[col.name] === null).length / recorded.length;
    assert.ok(rate < 0.2, `${col.name}: ${(100 * rate).toFixed(1)}% missing`);
  }
  for (const col of ['pack_years', 'cea_ng_ml', 'bmi']) {
    const rate = recorded.filter((s) => s.tabular?.[col] === null).length / recorded.length;
    assert.ok(rate > 0.04, `${col}: ${(100 * rate).toFixed(1)}% missing`);
  }
  const blank = (smoker: boolean) => {
    const idx = truth.map((t, i) => (t.latents.smoker === smoker ? i : -1)).filter((i) => i >= 0);
    return idx.filter((i) => cohort.samples[i].tabular?.pack_years === null).length / idx.length;
  };
  assert.ok(blank(false) > blank(true) + 0.1, `never-smokers ${blank(false).toFixed(2)} vs smokers ${blank(true).toFixed(2)}`);
});

test('the measured diameter is a noisy view of the true size', () => {
  const pairs = truth
    .map((t, i) => [t.latents.diameterMm, cohort.samples[i].tabular?.nodule_diameter_mm, t.siteId] as const)
    .filter(([, d, site]) => typeof d === 'number' && site !== 'hosp_c') as [number, number, string][];
  const rel = pairs.map(([t, d]) => Math.log(d / t));
  const mean = rel.reduce((a, b) => a + b, 0) / rel.length;
  const sd = Math.sqrt(rel.reduce((a, b) => a + (b - mean) ** 2, 0) / rel.length);
  assert.ok(Math.abs(mean) < 0.03 && sd > 0.05 && sd < 0.2, `log error mean ${mean.toFixed(3)}, sd ${sd.toFixed(3)}`);
});
