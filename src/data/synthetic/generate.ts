import { Rng } from '../../util/random.js';
import type { BinaryLabel, Cohort, Sample, SiteInfo } from '../types.js';
import { findConversion } from '../units.js';
import { applyScanner } from './scanner.js';
import { renderPatch } from './image.js';
import { drawLatents, logitParts, malignancyProbability, siteCoefficients, siteIntercept, type LogitParts, type SubjectLatents } from './latent.js';
import { makeRecord } from './record.js';
import { LUNG_NODULE_SCHEMA, SYNTHETIC_COHORT_NAME } from './schema.js';
import { DEFAULT_SYNTHETIC_OPTIONS, LOGIT_COEFFICIENT_NAMES, type SyntheticCohortOptions, type SyntheticSiteSpec } from './spec.js';

/** Version of the generator's output; bump it with any change so cached cohorts regenerate. */
export const SYNTHETIC_GENERATOR_VERSION = 2;

/** A cohort that remembers the generator options that produced it (written to cohort.json). */
export interface SyntheticCohort extends Cohort {
  readonly generator: { readonly name: 'medtl-synthetic-lung-nodule'; readonly version: typeof SYNTHETIC_GENERATOR_VERSION; readonly options: SyntheticCohortOptions };
}

/** The hidden truth behind one generated sample: its latents and the label model's probability. */
export interface SubjectTruth {
  readonly subjectId: string;
  readonly siteId: string;
  readonly latents: SubjectLatents;
  readonly intercept: number;
  readonly parts: LogitParts;
  /** sigmoid(intercept + image + record + size): the oracle probability the label was drawn from. */
  readonly probability: number;
  /** The label drawn from `probability`. */
  readonly label: BinaryLabel;
}

/** A generated cohort with its per-sample truth, aligned with `cohort.samples`. */
export interface SimulatedCohort {
  readonly cohort: SyntheticCohort;
  readonly truth: readonly SubjectTruth[];
}

const SITE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(`generateSyntheticCohort: ${message}`);
}

/** Fills defaults, deep-copies the site specs (the result never aliases caller objects) and validates. */
export function resolveSyntheticOptions(opts: Partial<SyntheticCohortOptions> = {}): SyntheticCohortOptions {
  const resolved: SyntheticCohortOptions = {
    seed: opts.seed ?? DEFAULT_SYNTHETIC_OPTIONS.seed,
    imageSize: opts.imageSize ?? DEFAULT_SYNTHETIC_OPTIONS.imageSize,
    sites: structuredClone(opts.sites ?? DEFAULT_SYNTHETIC_OPTIONS.sites),
  };
  check(Number.isSafeInteger(resolved.seed), `seed must be an integer, got ${resolved.seed}`);
  check(
    Number.isInteger(resolved.imageSize) && resolved.imageSize >= 16 && resolved.imageSize <= 512,
    `imageSize must be an integer in [16, 512], got ${resolved.imageSize}`,
  );
  check(resolved.sites.length > 0, 'at least one site is required');
  const seen = new Set<string>();
  const columns = new Map(LUNG_NODULE_SCHEMA.map((c) => [c.name, c]));
  for (const s of resolved.sites) {
    const at = `site '${s.id}'`;
    check(typeof s.id === 'string' && SITE_ID.test(s.id), `site id '${s.id}' must match ${SITE_ID} (it names a folder)`);
    check(!seen.has(s.id), `duplicate site id '${s.id}'`);
    seen.add(s.id);
    check(Number.isInteger(s.n) && s.n >= 0, `${at}: n must be a non-negative integer, got ${s.n}`);
    check(s.prevalence > 0 && s.prevalence < 1, `${at}: prevalence must be in (0, 1), got ${s.prevalence}`);
    for (const key of ['femaleFraction', 'smokerFraction'] as const) {
      check(s[key] >= 0 && s[key] <= 1, `${at}: ${key} must be in [0, 1], got ${s[key]}`);
    }
    for (const key of ['ageSd', 'noiseSd', 'blurSigma', 'intensityScale'] as const) {
      check(Number.isFinite(s[key]) && s[key] >= 0, `${at}: ${key} must be a finite number >= 0, got ${s[key]}`);
    }
    check(Number.isFinite(s.ageMean) && Number.isFinite(s.intensityOffset), `${at}: ageMean and intensityOffset must be finite`);
    for (const c of s.missingColumns) check(columns.has(c), `${at}: missingColumns names unknown column '${c}'`);
    for (const [c, unit] of Object.entries(s.recordedUnits)) {
      const spec = columns.get(c);
      check(spec !== undefined, `${at}: recordedUnits names unknown column '${c}'`);
      check(spec?.unit !== undefined, `${at}: recordedUnits names column '${c}', which has no unit`);
      check(
        findConversion(spec?.unit ?? '', unit) !== undefined,
        `${at}: column '${c}' cannot be recorded in unit '${unit}' (no conversion from '${spec?.unit}' in src/data/units.ts)`,
      );
    }
    checkShift(s);
  }
  return resolved;
}

/** Validates a site's concept shift (coefficient overrides) and its scanner's transfer curve. */
function checkShift(s: SyntheticSiteSpec): void {
  const at = `site '${s.id}'`;
  if (s.coefficients !== undefined) {
    check(typeof s.coefficients === 'object' && s.coefficients !== null && !Array.isArray(s.coefficients), `${at}: coefficients must be an object of coefficient name -> number`);
    const known: readonly string[] = LOGIT_COEFFICIENT_NAMES;
    for (const [name, value] of Object.entries(s.coefficients)) {
      check(known.includes(name), `${at}: coefficients names unknown feature '${name}'; known: ${known.join(', ')}`);
      check(typeof value === 'number' && Number.isFinite(value), `${at}: coefficient of feature '${name}' must be a finite number, got ${String(value)}`);
    }
  }
  const c = s.intensityCurve;
  if (c !== undefined) {
    check(typeof c.gamma === 'number' && Number.isFinite(c.gamma) && c.gamma > 0, `${at}: intensityCurve.gamma must be a finite number > 0, got ${String(c.gamma)}`);
    check(Number.isFinite(c.lo) && Number.isFinite(c.hi) && c.lo < c.hi, `${at}: intensityCurve needs finite lo < hi (HU), got [${String(c.lo)}, ${String(c.hi)}]`);
  }
}

function siteInfo(s: SyntheticSiteSpec): SiteInfo {
  return { id: s.id, description: s.description, missingColumns: [...s.missingColumns], recordedUnits: { ...s.recordedUnits } };
}

/**
 * Generates the cohort together with each sample's hidden truth. Each site draws from its own
 * named streams (latents, labels, records, images, scanner), so a site's subjects depend only on
 * the seed and its own spec, and labels and records do not change with imageSize.
 */
export function simulateSyntheticCohort(opts: Partial<SyntheticCohortOptions> = {}): SimulatedCohort {
  const options = resolveSyntheticOptions(opts);
  const size = options.imageSize;
  const samples: Sample[] = [];
  const truth: SubjectTruth[] = [];
  for (const site of options.sites) {
    const stream = (name: string) => new Rng(`${options.seed}:${site.id}:${name}`);
    const recRng = stream('records');
    const imgRng = stream('images');
    const scanRng = stream('scanner');
    for (const t of siteTruth(site, options.seed)) {
      const data = applyScanner(renderPatch(t.latents, size, imgRng), size, site, scanRng);
      samples.push({
        subjectId: t.subjectId,
        siteId: site.id,
        label: t.label,
        image: { height: size, width: size, channels: 1, data },
        tabular: makeRecord(t.latents, site, recRng),
      });
      truth.push(t);
    }
  }
  const cohort: SyntheticCohort = {
    name: SYNTHETIC_COHORT_NAME,
    sites: options.sites.map(siteInfo),
    samples,
    tabularSchema: LUNG_NODULE_SCHEMA,
    imageShape: [size, size, 1],
    generator: { name: 'medtl-synthetic-lung-nodule', version: SYNTHETIC_GENERATOR_VERSION, options },
  };
  return { cohort, truth };
}

/** Each subject's latents, label and label-model probability at one site, from the site's latents and labels streams only. */
function siteTruth(site: SyntheticSiteSpec, seed: number): SubjectTruth[] {
  const intercept = siteIntercept(site);
  const coefficients = siteCoefficients(site);
  const latRng = new Rng(`${seed}:${site.id}:latents`);
  const labelRng = new Rng(`${seed}:${site.id}:labels`);
  const digits = Math.max(4, String(site.n).length);
  const out: SubjectTruth[] = [];
  for (let i = 0; i < site.n; i++) {
    const latents = drawLatents(site, latRng);
    const parts = logitParts(latents, coefficients);
    const probability = malignancyProbability(intercept, parts.image + parts.record + parts.size);
    const label: BinaryLabel = labelRng.bernoulli(probability) ? 1 : 0;
    out.push({ subjectId: `${site.id}-${String(i + 1).padStart(digits, '0')}`, siteId: site.id, latents, intercept, parts, probability, label });
  }
  return out;
}

/**
 * The hidden truth of the cohort `simulateSyntheticCohort` would generate with these options, without
 * rendering any image (milliseconds, not seconds): the same subjects, latents and labels, since images
 * and records draw from their own streams.
 */
export function simulateSyntheticTruth(opts: Partial<SyntheticCohortOptions> = {}): SubjectTruth[] {
  const options = resolveSyntheticOptions(opts);
  return options.sites.flatMap((site) => siteTruth(site, options.seed));
}

/** Generates the seeded synthetic multi-site lung-nodule cohort (defaults: seed 42, 64x64, four sites). */
export function generateSyntheticCohort(opts: Partial<SyntheticCohortOptions> = {}): SyntheticCohort {
  return simulateSyntheticCohort(opts).cohort;
}
