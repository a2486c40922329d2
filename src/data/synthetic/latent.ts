import { Rng } from '../../util/random.js';
import type { LogitCoefficients, SyntheticSiteSpec } from './spec.js';

/** The true (unobserved) state of one subject, from which image, record and label are derived. */
export interface SubjectLatents {
  /** Age in years. */
  readonly age: number;
  readonly female: boolean;
  readonly smoker: boolean;
  /** Cumulative smoking exposure; 0 for never-smokers. */
  readonly packYears: number;
  readonly familyHistory: boolean;
  /** Serum carcinoembryonic antigen in ng/mL. */
  readonly ceaNgMl: number;
  readonly emphysema: boolean;
  /** Body-mass index in kg/m2 (a distractor: no effect on the label). */
  readonly bmi: number;
  /** True nodule diameter in mm (seen by the image, and noisily by the radiologist's measurement). */
  readonly diameterMm: number;
  /** Margin irregularity, standard normal: low = smooth round, high = lobulated and spiculated. Image only. */
  readonly margin: number;
  /** Texture, standard normal: low = homogeneous solid, high = part-solid with a ground-glass rim and heterogeneous core. Image only. */
  readonly texture: number;
}

/** The label model's logit split by where its inputs can be observed. */
export interface LogitParts {
  /** Contribution of latents visible only in the image (margin, texture). */
  readonly image: number;
  /** Contribution of latents visible only in the record (age, pack-years, family history, CEA, emphysema). */
  readonly record: number;
  /** Contribution of nodule size (visible in the image and, noisily, in the record). */
  readonly size: number;
}

/** Shared coefficients of the malignancy logit; see docs/synthetic-cohort.md for the calibration behind them. */
export const LOGIT_COEFFICIENTS: LogitCoefficients = Object.freeze({
  /** Per standard deviation of the margin latent. */
  margin: 1.4,
  /** Per standard deviation of the texture latent. */
  texture: 1.2,
  /** Per natural-log unit of diameter (doubling the diameter adds 0.69 times this). */
  logDiameter: 2.5,
  /** Per 10 years of age. */
  agePer10y: 0.8,
  /** Per unit of log(1 + pack-years). */
  logPackYears: 0.5,
  familyHistory: 0.9,
  /** Per natural-log unit of CEA. */
  logCea: 1.75,
  emphysema: 0.7,
});

/** Range of true nodule diameters in mm (at 64 px, 1 mm per pixel: radius 2-10 px). */
export const DIAMETER_RANGE_MM: readonly [number, number] = [4, 20];

/** Reference points the logit is centred on, so the site intercept reads as a baseline log-odds. */
const REF = Object.freeze({ age: 65, diameterMm: 10, ceaNgMl: 2.5 });

/** The coefficients of a site's label model: the shared ones with the site's overrides (its concept shift) applied. */
export function siteCoefficients(site: Pick<SyntheticSiteSpec, 'coefficients'>): LogitCoefficients {
  return Object.freeze({ ...LOGIT_COEFFICIENTS, ...site.coefficients });
}

/** Splits the malignancy logit (without the site intercept) into image-only, record-only and size parts, with the given coefficients. */
export function logitParts(l: SubjectLatents, c: LogitCoefficients = LOGIT_COEFFICIENTS): LogitParts {
  return {
    image: c.margin * l.margin + c.texture * l.texture,
    record:
      (c.agePer10y * (l.age - REF.age)) / 10 +
      c.logPackYears * Math.log1p(l.packYears) +
      (l.familyHistory ? c.familyHistory : 0) +
      c.logCea * Math.log(l.ceaNgMl / REF.ceaNgMl) +
      (l.emphysema ? c.emphysema : 0),
    size: c.logDiameter * Math.log(l.diameterMm / REF.diameterMm),
  };
}

/** The full malignancy logit without the site intercept, with the given coefficients. */
export function latentLogit(l: SubjectLatents, c: LogitCoefficients = LOGIT_COEFFICIENTS): number {
  const p = logitParts(l, c);
  return p.image + p.record + p.size;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Draws one subject's latents from a site's population; image latents are independent of the record's. */
export function drawLatents(site: SyntheticSiteSpec, rng: Rng): SubjectLatents {
  const age = clamp(rng.normal(site.ageMean, site.ageSd), 35, 92);
  const female = rng.bernoulli(site.femaleFraction);
  const smoker = rng.bernoulli(site.smokerFraction);
  // Exposure grows with age among smokers; log-normal gives the long right tail seen in practice.
  const packYears = smoker ? clamp(Math.exp(rng.normal(Math.log(25) + (age - 65) / 60, 0.6)), 1, 150) : 0;
  const familyHistory = rng.bernoulli(0.15);
  // Smoking raises baseline CEA, so CEA is partly confounded with exposure, as in real labs.
  const ceaNgMl = clamp(Math.exp(rng.normal(Math.log(2.2) + (smoker ? 0.35 : 0), 0.55)), 0.2, 80);
  const emphysema = rng.bernoulli(smoker ? 0.18 + packYears / 250 : 0.05);
  const bmi = clamp(rng.normal(female ? 26 : 27, 4.5), 15, 50);
  // Truncated by redrawing rather than clamping, so no point mass piles up at the limits.
  let diameterMm: number;
  do diameterMm = Math.exp(rng.normal(Math.log(10), 0.42));
  while (diameterMm < DIAMETER_RANGE_MM[0] || diameterMm > DIAMETER_RANGE_MM[1]);
  const margin = rng.normal();
  const texture = rng.normal();
  return { age, female, smoker, packYears, familyHistory, ceaNgMl, emphysema, bmi, diameterMm, margin, texture };
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Solves the intercept b so that the mean of sigmoid(b + logit) over the given logits equals the prevalence. */
export function solveIntercept(logits: readonly number[], prevalence: number): number {
  if (!(prevalence > 0 && prevalence < 1)) throw new Error(`prevalence must be in (0, 1), got ${prevalence}`);
  let lo = -30;
  let hi = 30;
  // Mean probability is monotone in b, so bisection converges; 60 halvings of 60 reach double precision.
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    let s = 0;
    for (const z of logits) s += sigmoid(mid + z);
    if (s / logits.length < prevalence) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Draws used to solve a site's intercept: many enough that its prevalence error is far below sampling noise. */
const CALIBRATION_DRAWS = 20000;

/** Solved intercepts by population, coefficients and prevalence; solving costs ~0.1 s and depends on nothing else. */
const interceptCache = new Map<string, number>();

/**
 * The site's logistic intercept, solved on a fixed calibration draw of its population so it depends
 * only on the site spec (demographics, coefficients and prevalence), never on the cohort seed.
 */
export function siteIntercept(site: SyntheticSiteSpec): number {
  const population = `${site.ageMean}:${site.ageSd}:${site.femaleFraction}:${site.smokerFraction}`;
  const coefficients = siteCoefficients(site);
  const key = `${population}:${JSON.stringify(coefficients)}:${site.prevalence}`;
  const cached = interceptCache.get(key);
  if (cached !== undefined) return cached;
  const rng = new Rng(`calibration:${population}`);
  const logits: number[] = [];
  for (let i = 0; i < CALIBRATION_DRAWS; i++) logits.push(latentLogit(drawLatents(site, rng), coefficients));
  const b = solveIntercept(logits, site.prevalence);
  interceptCache.set(key, b);
  return b;
}

/** Probability of malignancy given the site intercept and a latent logit. */
export function malignancyProbability(intercept: number, logit: number): number {
  return sigmoid(intercept + logit);
}
