import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_METHODS, methodSchema, type ExperimentConfig } from '../config/experiment.js';
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_SYNTHETIC_SITES, SYNTHETIC_GENERATOR_VERSION, generateSyntheticCohort, harmoniseUnits, readCohort, simulateSyntheticTruth, writeCohort, type SubjectTruth, type SyntheticCohortOptions, type SyntheticSiteSpec } from '../data/synthetic/index.js';
import { readJson } from '../util/fs.js';
import type { Cohort } from '../data/types.js';
import type { ProgressReporter } from '../util/progress.js';
import type { CohortOrigin } from '../record/types.js';

/** The default methods when the cohort has no images: the image ones cannot run. */
export const TABULAR_DEFAULT_METHODS: ExperimentConfig['methods'] = [
  { name: 'transfer', strategy: 'freeze_unfreeze', modalities: ['tabular'] },
  { name: 'target_only', strategy: 'target_only', modalities: ['tabular'] },
  { name: 'source_only', strategy: 'source_only', modalities: ['tabular'] },
];

/**
 * Fits the methods to the cohort's modalities: without images the default methods become the
 * tabular ones, and an explicitly configured image (or, without notes, text) method is an error naming it.
 */
export function adaptMethodsToCohort(cfg: ExperimentConfig, cohort: Cohort, progress: ProgressReporter): ExperimentConfig {
  refuseTextWithoutNotes(cfg, cohort);
  if (cohort.samples.some((s) => s.image !== undefined)) return cfg;
  const defaults = DEFAULT_METHODS.map((m) => methodSchema.parse(m));
  if (isDeepStrictEqual(JSON.parse(JSON.stringify(cfg.methods)), JSON.parse(JSON.stringify(defaults)))) {
    progress.log(`cohort '${cohort.name}' has no images: running the tabular methods ${TABULAR_DEFAULT_METHODS.map((m) => m.name).join(', ')}`);
    return { ...cfg, methods: TABULAR_DEFAULT_METHODS };
  }
  const bad = cfg.methods.filter((m) => m.modalities.includes('image'));
  if (bad.length > 0) {
    throw new Error(
      `cohort '${cohort.name}' has no images, so method${bad.length > 1 ? 's' : ''} ${bad.map((m) => `'${m.name}'`).join(', ')} (modalities: image) cannot run; ` +
        `give them modalities: [tabular] or remove them from methods`,
    );
  }
  return cfg;
}

/** Throws, naming them, when methods use text but no subject of the cohort has a note. */
function refuseTextWithoutNotes(cfg: ExperimentConfig, cohort: Cohort): void {
  if (cohort.samples.some((s) => s.text !== undefined && s.text !== '')) return;
  const bad = cfg.methods.filter((m) => m.modalities.includes('text'));
  if (bad.length === 0) return;
  throw new Error(
    `cohort '${cohort.name}' has no clinical notes, so method${bad.length > 1 ? 's' : ''} ${bad.map((m) => `'${m.name}'`).join(', ')} (modalities: text) cannot run; ` +
      `remove text from their modalities or use a cohort with notes`,
  );
}

/**
 * Materialises the experiment's cohort in the workspace and reads it back from disk, so the
 * pipeline always consumes files, then harmonises units to the shared schema.
 */
export async function loadExperimentCohort(cfg: ExperimentConfig, progress: ProgressReporter): Promise<{ cohort: Cohort; origin: CohortOrigin }> {
  if (cfg.data.kind === 'manifest') return loadManifestExperimentCohort(cfg.workspace, cfg.data, progress, cfg.model.imageEncoder === 'cnn3d');
  const seed = cfg.data.seed ?? cfg.seed;
  const dir = join(cfg.workspace, 'cohorts', `synthetic-s${seed}-${cfg.data.imageSize}px`);
  let generated = false;
  const wanted = syntheticOptions(cfg.data, seed);
  const cached = existsSync(join(dir, 'cohort.json')) ? await readJson<{ generator?: { version: number; options: unknown } }>(join(dir, 'cohort.json')) : undefined;
  // A cohort written by another generator version or other settings is stale, not reusable.
  const fresh = cached?.generator?.version === SYNTHETIC_GENERATOR_VERSION && isDeepStrictEqual(JSON.parse(JSON.stringify(cached.generator.options)), JSON.parse(JSON.stringify(wanted)));
  if (!fresh) {
    progress.log(`${cached ? 'regenerating the stale' : 'generating the'} synthetic cohort (seed ${seed}) into ${dir}`);
    await writeCohort(generateSyntheticCohort(wanted), dir);
    generated = true;
  }
  const cohort = harmoniseUnits(await readCohort(dir));
  return { cohort, origin: { kind: 'synthetic', dir, generated } };
}

/** The generator options of a synthetic experiment's cohort. */
function syntheticOptions(data: Extract<ExperimentConfig['data'], { kind: 'synthetic' }>, seed: number): SyntheticCohortOptions {
  return { seed, imageSize: data.imageSize, sites: [...DEFAULT_SYNTHETIC_SITES] };
}

/** The hidden truth of a synthetic cohort by `site/subject_id`, with the site specs behind it. */
export interface CohortTruth {
  readonly bySubject: ReadonlyMap<string, SubjectTruth>;
  readonly sites: readonly SyntheticSiteSpec[];
}

/**
 * The generator's hidden truth behind a synthetic experiment's cohort, keyed `site/subject_id` as
 * predictions are, with the site specs it came from; undefined for manifest data, which has none.
 */
export function experimentTruth(cfg: ExperimentConfig): CohortTruth | undefined {
  if (cfg.data.kind !== 'synthetic') return undefined;
  const options = syntheticOptions(cfg.data, cfg.data.seed ?? cfg.seed);
  return { bySubject: new Map(simulateSyntheticTruth(options).map((t) => [`${t.siteId}/${t.subjectId}`, t])), sites: options.sites };
}

/**
 * Ingests the manifest into the workspace catalog (a no-op for sites whose inputs are unchanged,
 * a resume for an interrupted one) and reads the cohort back from the catalog, with each subject's
 * whole volume too when `volumes` (the cnn3d encoder's input).
 */
async function loadManifestExperimentCohort(
  workspace: string,
  data: Extract<ExperimentConfig['data'], { kind: 'manifest' }>,
  progress: ProgressReporter,
  volumes: boolean,
): Promise<{ cohort: Cohort; origin: CohortOrigin }> {
  // Loaded on demand: ingest and the catalog bring DuckDB, FHIRPath and the DICOM codecs, which
  // a synthetic-cohort run (the demo) never needs and would otherwise pay for at start-up.
  const [{ ingestManifest }, { Catalog, readCatalogCohort }] = await Promise.all([import('../data/ingest/index.js'), import('../data/catalog/index.js')]);
  const r = await ingestManifest(data.path, { workspace, root: data.root, progress });
  // The ingest result's cohort is tabular; read it again with the images decoded from their references.
  const catalog = await Catalog.open(workspace);
  let cohort: Cohort;
  try {
    cohort = await readCatalogCohort(catalog, r.manifest.name, r.manifest.sites.map((s) => s.id), { images: true, volumes });
  } finally {
    catalog.close();
  }
  const counts = r.sites.map((s) => `${s.siteId} ${s.subjects} (${s.status})`).join(', ');
  const quarantined = r.report.quarantine.length;
  const excluded = r.report.excluded.length;
  const left = [quarantined ? `${quarantined} items quarantined` : '', excluded ? `${excluded} rows excluded` : ''].filter((x) => x !== '').join(', ');
  progress.log(`manifest ${r.manifest.path} → ${r.catalogPath}: ${cohort.samples.length} subjects: ${counts}${left ? `; ${left} (medtl ingest --report lists them)` : ''}`);
  return { cohort, origin: { kind: 'manifest', manifest: r.manifest.path, root: r.manifest.root, subjects: cohort.samples.length, quarantined, excluded } };
}
