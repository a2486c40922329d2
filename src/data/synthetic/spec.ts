/** Names of the malignancy logit's coefficients (values in `LOGIT_COEFFICIENTS`, src/data/synthetic/latent.ts). */
export const LOGIT_COEFFICIENT_NAMES = Object.freeze(['margin', 'texture', 'logDiameter', 'agePer10y', 'logPackYears', 'familyHistory', 'logCea', 'emphysema'] as const);

/** One coefficient of the malignancy logit. */
export type LogitCoefficientName = (typeof LOGIT_COEFFICIENT_NAMES)[number];

/** A full set of malignancy-logit coefficients (log-odds per unit of each latent feature). */
export type LogitCoefficients = Readonly<Record<LogitCoefficientName, number>>;

/**
 * A scanner's monotone non-linear transfer curve: a gamma curve over the window [lo, hi] in HU, applied
 * last, to the noisy reconstructed image. `lo` and `hi` map to themselves, so a windowed image keeps its
 * range; outside the window the curve continues linearly, so it is strictly increasing and invertible everywhere.
 */
export interface IntensityCurveSpec {
  /** Exponent of the curve; 1 is the identity, above 1 darkens the mid-range, below 1 brightens it. */
  gamma: number;
  /** Lower end of the window in HU (a fixed point of the curve). */
  lo: number;
  /** Upper end of the window in HU (a fixed point of the curve). */
  hi: number;
}

/** One synthetic hospital: how many subjects, who they are, and how its scanner and records differ. */
export interface SyntheticSiteSpec {
  /** Site id, used as `siteId` on every sample and as the site's folder name on disk. */
  id: string;
  /** Human-readable description of the site. */
  description: string;
  /** Number of subjects. */
  n: number;
  /** Expected fraction malignant; the logistic intercept is solved per site to hit it. */
  prevalence: number;
  /** Mean age in years. */
  ageMean: number;
  /** Standard deviation of age in years. */
  ageSd: number;
  /** Fraction of female subjects. */
  femaleFraction: number;
  /** Fraction of ever-smokers. */
  smokerFraction: number;
  /** Scanner gain applied to HU (1 = calibrated). */
  intensityScale: number;
  /** Scanner offset added after the gain, in HU. */
  intensityOffset: number;
  /** Standard deviation of additive Gaussian pixel noise, in HU. */
  noiseSd: number;
  /** Standard deviation of the Gaussian point-spread function in mm (converted to pixels per patch). */
  blurSigma: number;
  /** Schema columns this site does not record (null for every subject). */
  missingColumns: string[];
  /** Unit a column is recorded in at this site where it differs from the schema's canonical unit. */
  recordedUnits: Record<string, string>;
  /** Logit coefficients that differ at this site from the shared `LOGIT_COEFFICIENTS` (concept shift); absent: none. */
  coefficients?: Partial<Record<LogitCoefficientName, number>>;
  /** The scanner's non-linear transfer curve after gain, offset and noise; absent: linear. */
  intensityCurve?: IntensityCurveSpec;
}

/** Options of the synthetic cohort generator. */
export interface SyntheticCohortOptions {
  /** Seed of every random draw; the same seed gives a bit-identical cohort. */
  seed: number;
  /** Side of the square CT patch in pixels; the field of view is fixed, so this sets the resolution. */
  imageSize: number;
  /** Sites to generate, in output order. */
  sites: SyntheticSiteSpec[];
}

/** Id of the default target site (few labels, the site transfer is aimed at). */
export const DEFAULT_TARGET_SITE = 'hosp_d';

// Kept mutable-typed only until frozen below; nothing else sees this binding.
const DEFAULT_SITES: SyntheticSiteSpec[] = [
  {
    id: 'hosp_a',
    description: 'University hospital: recent scanner, sharp reconstruction kernel, mixed referrals',
    n: 420,
    prevalence: 0.35,
    ageMean: 64,
    ageSd: 9,
    femaleFraction: 0.45,
    smokerFraction: 0.7,
    intensityScale: 1.0,
    intensityOffset: 0,
    noiseSd: 18,
    blurSigma: 0.5,
    missingColumns: [],
    recordedUnits: {},
  },
  {
    id: 'hosp_b',
    description: 'Community hospital: older scanner, smooth kernel, no family-history field in its forms',
    n: 380,
    prevalence: 0.3,
    ageMean: 68,
    ageSd: 10,
    femaleFraction: 0.52,
    smokerFraction: 0.6,
    intensityScale: 0.95,
    intensityOffset: 25,
    noiseSd: 30,
    blurSigma: 1.2,
    missingColumns: ['family_history'],
    recordedUnits: {},
  },
  {
    id: 'hosp_c',
    description: 'Screening programme: heavy smokers, low-dose protocol, nodule diameter recorded in cm',
    n: 400,
    prevalence: 0.25,
    ageMean: 63,
    ageSd: 7,
    femaleFraction: 0.42,
    smokerFraction: 0.85,
    intensityScale: 1.04,
    intensityOffset: -20,
    noiseSd: 40,
    blurSigma: 0.8,
    missingColumns: [],
    recordedUnits: { nodule_diameter_mm: 'cm' },
  },
  {
    id: 'hosp_d',
    description:
      'Regional cancer centre (target): referral population in which the record risk factors point the other way (Berkson bias) and nodule appearance weighs more, other vendor with a gamma transfer curve, higher prevalence',
    n: 450,
    prevalence: 0.45,
    ageMean: 66,
    ageSd: 11,
    femaleFraction: 0.5,
    smokerFraction: 0.55,
    intensityScale: 1.1,
    intensityOffset: -40,
    noiseSd: 24,
    blurSigma: 1.0,
    missingColumns: [],
    recordedUnits: {},
    // Patients are referred for clinical risk or for a suspicious scan; among those referred, the ones
    // with high clinical risk were more often referred on that alone, with benign nodules, so the record's
    // risk factors turn mildly protective (-0.25x the shared coefficients) and margin and texture weigh 1.5x.
    coefficients: { agePer10y: -0.2, logPackYears: -0.125, familyHistory: -0.225, logCea: -0.4375, emphysema: -0.175, margin: 2.1, texture: 1.8 },
    // The other vendor's reconstruction darkens the mid-range (solid nodules by about 100 HU) and keeps -1000 and 400 HU in place.
    intensityCurve: { gamma: 2, lo: -1000, hi: 400 },
  },
];

/** The demo cohort: three source hospitals and one target, differing as real hospitals do. */
export const DEFAULT_SYNTHETIC_SITES: readonly SyntheticSiteSpec[] = Object.freeze(DEFAULT_SITES.map((s) => Object.freeze(s)));

/** Generator defaults: seed 42, 64x64 patches, the four default sites. */
export const DEFAULT_SYNTHETIC_OPTIONS: Readonly<SyntheticCohortOptions> = Object.freeze({
  seed: 42,
  imageSize: 64,
  sites: DEFAULT_SYNTHETIC_SITES as SyntheticSiteSpec[],
});
