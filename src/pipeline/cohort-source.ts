import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExperimentConfig } from '../config/experiment.js';
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_SYNTHETIC_SITES, SYNTHETIC_GENERATOR_VERSION, generateSyntheticCohort, harmoniseUnits, readCohort, writeCohort } from '../data/synthetic/index.js';
import { readJson } from '../util/fs.js';
import type { Cohort } from '../data/types.js';
import type { ProgressReporter } from '../util/progress.js';

/** Where a cohort came from, for the run record. */
export interface CohortOrigin {
  readonly kind: 'synthetic';
  readonly dir: string;
  readonly generated: boolean;
}

/**
 * Materialises the experiment's cohort in the workspace and reads it back from disk, so the
 * pipeline always consumes files, then harmonises units to the shared schema.
 */
export async function loadExperimentCohort(cfg: ExperimentConfig, progress: ProgressReporter): Promise<{ cohort: Cohort; origin: CohortOrigin }> {
  const seed = cfg.data.seed ?? cfg.seed;
  const dir = join(cfg.workspace, 'cohorts', `synthetic-s${seed}-${cfg.data.imageSize}px`);
  let generated = false;
  const wanted = { seed, imageSize: cfg.data.imageSize, sites: DEFAULT_SYNTHETIC_SITES };
  const cached = existsSync(join(dir, 'cohort.json')) ? await readJson<{ generator?: { version: number; options: unknown } }>(join(dir, 'cohort.json')) : undefined;
  // A cohort written by another generator version or other settings is stale, not reusable.
  const fresh = cached?.generator?.version === SYNTHETIC_GENERATOR_VERSION && isDeepStrictEqual(JSON.parse(JSON.stringify(cached.generator.options)), JSON.parse(JSON.stringify(wanted)));
  if (!fresh) {
    progress.log(`${cached ? 'regenerating the stale' : 'generating the'} synthetic cohort (seed ${seed}) into ${dir}`);
    await writeCohort(generateSyntheticCohort({ seed, imageSize: cfg.data.imageSize }), dir);
    generated = true;
  }
  const cohort = harmoniseUnits(await readCohort(dir));
  return { cohort, origin: { kind: 'synthetic', dir, generated } };
}
