import type { Sample } from '../../data/types.js';
import { deriveSeed, Rng } from '../../util/random.js';
import { carveValidation, groupSubjects, samplesOf, strataOf, type SubjectGroup } from './subjects.js';
import type { ProtocolFold } from './types.js';

/** Options for groupedStratifiedKFold. */
export interface KFoldOptions {
  /** Fraction of each fold's training subjects carved out (stratified) as validation; default 0. */
  readonly valFraction?: number;
}

/**
 * Grouped stratified k-fold: every subject is in exactly one test fold with all of its samples;
 * subjects are dealt round-robin within (label, site) strata, so each fold's count of each class
 * is within one of n_class / k and each site is spread evenly.
 */
export function groupedStratifiedKFold(
  samples: readonly Sample[],
  k: number,
  seed: number,
  options: KFoldOptions = {},
): ProtocolFold[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`k-fold needs an integer k >= 2, got k=${k}`);
  const groups = groupSubjects(samples);
  for (const label of [0, 1] as const) {
    const n = groups.filter((g) => g.label === label).length;
    if (k > n) throw new Error(`k=${k} exceeds the ${n} subjects with label ${label}: every test fold needs both classes`);
  }
  const rng = new Rng(seed);
  const folds: SubjectGroup[][] = Array.from({ length: k }, () => []);
  // Strata are sorted by label first, so one running counter deals each class round-robin without
  // restarting: per class, folds differ by at most one subject, and fold sizes by at most one.
  let next = 0;
  for (const stratum of strataOf(groups)) {
    for (const g of rng.shuffle(stratum)) {
      folds[next % k].push(g);
      next++;
    }
  }
  const valFraction = options.valFraction ?? 0;
  return folds.map((testGroups, index) => {
    const trainAll = samplesOf(folds.filter((_, j) => j !== index).flat());
    const { train, val } = valFraction > 0 ? carveValidation(trainAll, valFraction, deriveSeed(seed, 'validation', String(index))) : { train: trainAll, val: [] };
    return { index, train, val, test: samplesOf(testGroups) };
  });
}
