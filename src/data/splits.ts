import { Rng } from '../util/random.js';
import type { Sample } from './types.js';

/** Fractions of each site's subjects that go to train, validation and test. */
export interface SplitFractions {
  readonly train: number;
  readonly val: number;
  readonly test: number;
}

/** A three-way partition of samples. */
export interface Split {
  readonly train: readonly Sample[];
  readonly val: readonly Sample[];
  readonly test: readonly Sample[];
}

/** The partition names of a split. */
export type Partition = keyof Split;

/**
 * Patient-level split, stratified by site and label: all samples of one subject land in the same
 * partition, and each (site, label) stratum is divided by the same fractions.
 */
export function stratifiedSiteSplit(samples: readonly Sample[], fractions: SplitFractions, seed: number): Split {
  const total = fractions.train + fractions.val + fractions.test;
  if (Math.abs(total - 1) > 1e-9 || fractions.train <= 0 || fractions.val < 0 || fractions.test <= 0) {
    throw new Error(`split fractions must be positive and sum to 1, got train=${fractions.train} val=${fractions.val} test=${fractions.test}`);
  }
  // A subject is positive if any of its samples is, so one patient's studies never straddle strata.
  const subjects = new Map<string, { site: string; label: number; samples: Sample[] }>();
  for (const s of samples) {
    const key = subjectKey(s);
    const entry = subjects.get(key);
    if (entry) {
      entry.samples.push(s);
      entry.label = Math.max(entry.label, s.label);
    } else subjects.set(key, { site: s.siteId, label: s.label, samples: [s] });
  }
  const strata = new Map<string, string[]>();
  for (const [key, e] of subjects) {
    const stratum = `${e.site}\u0000${e.label}`;
    const list = strata.get(stratum);
    if (list) list.push(key);
    else strata.set(stratum, [key]);
  }
  const rng = new Rng(seed);
  const out: Record<Partition, Sample[]> = { train: [], val: [], test: [] };
  // Sorted strata and subject keys make the result independent of input order.
  for (const stratum of [...strata.keys()].sort()) {
    const keys = rng.shuffle(strata.get(stratum)!.sort());
    const nTest = Math.round(keys.length * fractions.test);
    const nVal = Math.round(keys.length * fractions.val);
    keys.forEach((key, i) => {
      const part: Partition = i < nTest ? 'test' : i < nTest + nVal ? 'val' : 'train';
      out[part].push(...subjects.get(key)!.samples);
    });
  }
  return out;
}

/** Subject identity across sites: the same id at two hospitals is two different patients. */
export function subjectKey(s: Sample): string {
  return `${s.siteId}/${s.subjectId}`;
}

/** Throws if any subject appears in more than one partition of the split. */
export function assertDisjointSubjects(split: Split): void {
  const seen = new Map<string, Partition>();
  for (const part of ['train', 'val', 'test'] as const) {
    for (const s of split[part]) {
      const key = subjectKey(s);
      const prev = seen.get(key);
      if (prev !== undefined && prev !== part) throw new Error(`subject ${key} is in both ${prev} and ${part}`);
      seen.set(key, part);
    }
  }
}

/**
 * Picks a labelled subset of `budget` subjects from a pool, stratified by label with at least one
 * of each class when the pool has both; the rest of the pool is returned as unlabelled.
 */
export function takeLabelBudget(
  pool: readonly Sample[],
  budget: number,
  seed: number,
): { labelled: Sample[]; unlabelled: Sample[] } {
  if (!Number.isInteger(budget) || budget < 0) throw new Error(`target label budget must be a non-negative integer, got ${budget}`);
  if (budget > pool.length) throw new Error(`target label budget ${budget} exceeds the ${pool.length} target training subjects`);
  const rng = new Rng(seed);
  const pos = rng.shuffle(pool.filter((s) => s.label === 1));
  const neg = rng.shuffle(pool.filter((s) => s.label === 0));
  const posShare = pool.length === 0 ? 0 : pos.length / pool.length;
  let nPos = Math.round(budget * posShare);
  if (budget >= 2 && pos.length > 0 && neg.length > 0) nPos = Math.min(Math.max(nPos, 1), budget - 1);
  nPos = Math.min(nPos, pos.length);
  const nNeg = Math.min(budget - nPos, neg.length);
  const labelled = [...pos.slice(0, nPos), ...neg.slice(0, nNeg)];
  const unlabelled = [...pos.slice(nPos), ...neg.slice(nNeg)];
  return { labelled: rng.shuffle(labelled), unlabelled };
}
