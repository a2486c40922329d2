import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_SYNTHETIC_SITES,
  DEFAULT_TARGET_SITE,
  LOGIT_COEFFICIENTS,
  generateSyntheticCohort,
  resolveSyntheticOptions,
  simulateSyntheticCohort,
  simulateSyntheticTruth,
  type SyntheticSiteSpec,
} from '../../../src/data/synthetic/index.js';
import { applyIntensityCurve, intensityCurveSlopeRange, invertIntensityCurve } from '../../../src/data/synthetic/intensity-curve.js';
import { applyScanner } from '../../../src/data/synthetic/scanner.js';
import { renderPatch } from '../../../src/data/synthetic/image.js';
import { drawLatents } from '../../../src/data/synthetic/latent.js';
import { transportedOracleAurocs } from '../../../src/evaluate/oracle-aurocs.js';
import { Rng } from '../../../src/util/random.js';

/** The default sites, shrunk, with hosp_d's concept shift and scanner curve taken off: every site shares one label model. */
function unshiftedSites(n: number): SyntheticSiteSpec[] {
  return DEFAULT_SYNTHETIC_SITES.map(({ coefficients: _c, intensityCurve: _i, ...s }) => ({ ...s, n }));
}

/** Pairs (i, j) whose order by `a` and by `b` disagree. */
function discordantPairs(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) if ((a[i] - a[j]) * (b[i] - b[j]) < 0) d++;
  return d;
}

test('a coefficient override changes the true-risk ranking at the overridden site only', () => {
  const base = unshiftedSites(200);
  const shifted = base.map((s) => (s.id === 'hosp_b' ? { ...s, coefficients: { logCea: -LOGIT_COEFFICIENTS.logCea } } : s));
  const before = simulateSyntheticTruth({ seed: 5, sites: base });
  const after = simulateSyntheticTruth({ seed: 5, sites: shifted });
  for (const id of ['hosp_a', 'hosp_c', 'hosp_d']) {
    assert.deepStrictEqual(after.filter((t) => t.siteId === id), before.filter((t) => t.siteId === id), `${id} must not change`);
  }
  const b0 = before.filter((t) => t.siteId === 'hosp_b');
  const b1 = after.filter((t) => t.siteId === 'hosp_b');
  // Same subjects; only the CEA term of the record logit flips: the difference is exactly -2 * 1.75 * log(CEA / 2.5).
  assert.deepStrictEqual(b1.map((t) => t.latents), b0.map((t) => t.latents));
  b1.forEach((t, i) => {
    const expected = b0[i].parts.record - 2 * LOGIT_COEFFICIENTS.logCea * Math.log(t.latents.ceaNgMl / 2.5);
    assert.ok(Math.abs(t.parts.record - expected) < 1e-9, `subject ${t.subjectId}: record part ${t.parts.record} vs ${expected}`);
  });
  // Ranking by the true logit changes for a large share of pairs (CEA's term has sd ~1 logit), not merely the intercept.
  const logit = (ts: typeof b0) => ts.map((t) => t.parts.image + t.parts.record + t.parts.size);
  const pairs = (200 * 199) / 2;
  const share = discordantPairs(logit(b0), logit(b1)) / pairs;
  assert.ok(share > 0.05, `only ${(share * 100).toFixed(1)}% of pairs reordered`);
});

test('the cohort itself follows the override: truth and generated labels agree, and simulateSyntheticTruth matches simulateSyntheticCohort', () => {
  const sites = unshiftedSites(30).map((s) => (s.id === 'hosp_d' ? { ...s, coefficients: { texture: -1.2 } } : s));
  const sim = simulateSyntheticCohort({ seed: 2, imageSize: 16, sites });
  const truth = simulateSyntheticTruth({ seed: 2, imageSize: 16, sites });
  assert.deepStrictEqual(truth, sim.truth);
  assert.deepStrictEqual(sim.cohort.samples.map((s) => s.label), truth.map((t) => t.label));
  const d = truth.filter((t) => t.siteId === 'hosp_d');
  d.forEach((t) => assert.ok(Math.abs(t.parts.image - (LOGIT_COEFFICIENTS.margin * t.latents.margin - 1.2 * t.latents.texture)) < 1e-12));
});

test('the demo target has a real concept shift: its true risk beats the sources\' true risk function on its own subjects', () => {
  const target = DEFAULT_SYNTHETIC_SITES.find((s) => s.id === DEFAULT_TARGET_SITE)!;
  const sources = DEFAULT_SYNTHETIC_SITES.filter((s) => s.id !== DEFAULT_TARGET_SITE);
  const t = transportedOracleAurocs(target, sources, 20000, 'shift-test');
  // 20,000 subjects: each AUROC's standard error is about 0.003, so a gap of 0.1 is far beyond sampling noise.
  for (const s of t.bySite) assert.ok(t.own - s.auroc >= 0.1, `${s.siteId}'s risk function on ${target.id}: ${s.auroc.toFixed(3)} vs its own ${t.own.toFixed(3)}`);
  // The sources share one label model: between them there is no concept shift at all (identical scores, identical AUROC).
  const a = transportedOracleAurocs(sources[0], sources.slice(1), 5000, 'shift-test');
  for (const s of a.bySite) assert.equal(s.auroc, a.own);
});

test('spec validation names the site and the feature of a bad coefficient or intensity curve', () => {
  const withD = (patch: Partial<SyntheticSiteSpec>) => ({ sites: unshiftedSites(5).map((s) => (s.id === 'hosp_d' ? { ...s, ...patch } : s)) });
  assert.throws(() => resolveSyntheticOptions(withD({ coefficients: { cea: 1 } as never })), /site 'hosp_d': coefficients names unknown feature 'cea'; known: margin, texture, .*logCea/);
  assert.throws(() => resolveSyntheticOptions(withD({ coefficients: { logCea: Number.NaN } })), /site 'hosp_d': coefficient of feature 'logCea' must be a finite number, got NaN/);
  assert.throws(() => resolveSyntheticOptions(withD({ coefficients: { margin: '2' as unknown as number } })), /site 'hosp_d': coefficient of feature 'margin' must be a finite number, got 2/);
  assert.throws(() => resolveSyntheticOptions(withD({ intensityCurve: { gamma: 0, lo: -1000, hi: 400 } })), /site 'hosp_d': intensityCurve.gamma must be a finite number > 0, got 0/);
  assert.throws(() => resolveSyntheticOptions(withD({ intensityCurve: { gamma: 2, lo: 400, hi: -1000 } })), /site 'hosp_d': intensityCurve needs finite lo < hi/);
  assert.doesNotThrow(() => resolveSyntheticOptions(withD({ coefficients: { logCea: -1 }, intensityCurve: { gamma: 2, lo: -1000, hi: 400 } })));
});

// Round-trip bound: the curve is computed in double precision and stored once as float32, an error of
// at most |y| 2^-24 (round to nearest). The inverse's slope is at most 1 / (the curve's smallest slope),
// so it maps that to at most |y| 2^-24 / minSlope in HU; the double-precision arithmetic of pow adds
// ~1e-13 relative, covered by 1e-9 HU.
const roundTripBound = (y: number, minSlope: number): number => (Math.abs(y) * 2 ** -24) / minSlope + 1e-9;

test('the intensity curve is strictly increasing, fixes its window ends and is inverted to float32 precision', () => {
  for (const gamma of [0.5, 1.5, 2, 3]) {
    const c = { gamma, lo: -1000, hi: 400 };
    const { min } = intensityCurveSlopeRange(c);
    assert.ok(Math.abs(applyIntensityCurve(c.lo, c) - c.lo) < 1e-9 && Math.abs(applyIntensityCurve(c.hi, c) - c.hi) < 1e-9);
    let prev = -Infinity;
    for (let x = -3000; x <= 3000; x += 0.37) {
      const y = applyIntensityCurve(x, c);
      assert.ok(y > prev, `gamma ${gamma}: not increasing at ${x}`);
      prev = y;
      const y32 = Math.fround(y);
      const back = invertIntensityCurve(y32, c);
      assert.ok(Math.abs(back - x) <= roundTripBound(y32, min), `gamma ${gamma}: ${x} -> ${y32} -> ${back}`);
    }
  }
});

test("hosp_d's scanner applies its curve, non-linearly, and the linear image is recovered from the stored pixels", () => {
  const target = DEFAULT_SYNTHETIC_SITES.find((s) => s.id === DEFAULT_TARGET_SITE)!;
  const curve = target.intensityCurve;
  assert.ok(curve && curve.gamma !== 1, 'the demo target has a non-linear scanner curve');
  const { intensityCurve: _i, ...linearSite } = target;
  const { min } = intensityCurveSlopeRange(curve);
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let n = 0;
  const pairs: [number, number][] = [];
  for (let k = 0; k < 5; k++) {
    const hu = renderPatch(drawLatents(target, new Rng(`lat${k}`)), 32, new Rng(`img${k}`));
    // The same scanner stream for both: identical blur and noise, so they differ by the curve alone.
    const curved = applyScanner(hu, 32, target, new Rng(`scan${k}`));
    const linear = applyScanner(hu, 32, linearSite, new Rng(`scan${k}`));
    for (let i = 0; i < curved.length; i++) {
      const back = invertIntensityCurve(curved[i], curve);
      // `linear` is itself rounded to float32 once: add its |x| 2^-24.
      assert.ok(Math.abs(back - linear[i]) <= roundTripBound(curved[i], min) + Math.abs(linear[i]) * 2 ** -24, `pixel ${i}: ${linear[i]} -> ${curved[i]} -> ${back}`);
      pairs.push([linear[i], curved[i]]);
      sx += linear[i];
      sy += curved[i];
      sxx += linear[i] * linear[i];
      sxy += linear[i] * curved[i];
      n++;
    }
  }
  // Not an affine change in disguise: the best straight line through (linear, curved) misses some pixels
  // (the nodules, far from the lung background that dominates the fit) by tens of HU.
  const slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const icept = (sy - slope * sx) / n;
  const worst = pairs.reduce((a, [x, y]) => Math.max(a, Math.abs(y - (icept + slope * x))), 0);
  assert.ok(worst > 50, `the best affine fit misses by at most ${worst.toFixed(1)} HU`);
});

test('a site without a curve or overrides generates exactly as before the shift existed (other sites bit-identical)', () => {
  const plain = unshiftedSites(10);
  const a = generateSyntheticCohort({ seed: 4, imageSize: 16, sites: plain });
  const b = generateSyntheticCohort({ seed: 4, imageSize: 16, sites: plain.map((s) => (s.id === 'hosp_d' ? { ...s, intensityCurve: { gamma: 2, lo: -1000, hi: 400 } } : s)) });
  const of = (c: typeof a, id: string) => c.samples.filter((s) => s.siteId === id);
  for (const id of ['hosp_a', 'hosp_b', 'hosp_c']) assert.deepStrictEqual(of(b, id), of(a, id));
  // At hosp_d only the pixels change: labels and records are drawn from other streams.
  assert.deepStrictEqual(of(b, 'hosp_d').map((s) => [s.label, s.tabular]), of(a, 'hosp_d').map((s) => [s.label, s.tabular]));
  assert.notDeepStrictEqual(of(b, 'hosp_d')[0].image?.data, of(a, 'hosp_d')[0].image?.data);
});
