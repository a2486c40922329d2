import { Rng } from '../../util/random.js';
import type { Cohort, Sample, SiteInfo } from '../types.js';
import { findConversion } from '../units.js';
import { applyScanner } from './scanner.js';
import { renderPatch } from './image.js';
import { drawLatents, logitParts, malignancyProbability, siteIntercept, type LogitParts, type SubjectLatents } from './latent.js';
import { makeRecord } from './record.js';
import { LUNG_NODULE_SCHEMA, SYNTHETIC_COHORT_NAME } from './schema.js';
import { DEFAULT_SYNTHETIC_OPTIONS, type SyntheticCohortOptions, type SyntheticSiteSpec } from './spec.js';

/** Version of the generator's output; bump it with any change so cached cohorts regenerate. */
export const SYNTHETIC_GENERATOR_VERSION = 1;

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
  }
  return resolved;
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
    const intercept = siteIntercept(site);
    const stream = (name: string) => new Rng(`${options.seed}:${site.id}:${name}`);
    const latRng = stream('latents');
    const labelRng = stream('labels');
    const recRng = stream('records');
    const imgRng = stream('images');
    const scanRng = stream('scanner');
    const digits = Math.max(4, String(site.n).length);
    for (let i = 0; i < site.n; i++) {
      const subjectId = `${site.id}-${String(i + 1).padStart(digits, '0')}`;
      const latents = drawLatents(site, latRng);
      const parts = logitParts(latents);
      const probability = malignancyProbability(intercept, parts.image + parts.record + parts.size);
      const label = labelRng.bernoulli(probability) ? 1 : 0;
      const data = applyScanner(renderPatch(latents, size, imgRng), size, site, scanRng);
      samples.push({
        subjectId,
        siteId: site.id,
        label,
        image: { height: size, width: size, channels: 1, data },
        tabular: makeRecord(latents, site, recRng),
      });
      truth.push({ subjectId, siteId: site.id, latents, intercept, parts, probability });
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

/** Generates the seeded synthetic multi-site lung-nodule cohort (defaults: seed 42, 64x64, four sites). */
export function generateSyntheticCohort(opts: Partial<SyntheticCohortOptions> = {}): SyntheticCohort {
  return simulateSyntheticCohort(opts).cohort;
}
