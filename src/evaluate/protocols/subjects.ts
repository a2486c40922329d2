import { subjectKey } from '../../data/splits.js';
import type { BinaryLabel, Sample } from '../../data/types.js';
import { Rng } from '../../util/random.js';

/** One subject (patient at a site) with all of its samples; positive if any sample is. */
export interface SubjectGroup {
  readonly key: string;
  readonly site: string;
  readonly label: BinaryLabel;
  readonly samples: readonly Sample[];
}

/** Groups samples by subjectKey, sorted by key so the result does not depend on input order. */
export function groupSubjects(samples: readonly Sample[]): SubjectGroup[] {
  const map = new Map<string, { key: string; site: string; label: BinaryLabel; samples: Sample[] }>();
  for (const s of samples) {
    const key = subjectKey(s);
    const g = map.get(key);
    if (g) {
      g.samples.push(s);
      if (s.label === 1) g.label = 1;
    } else map.set(key, { key, site: s.siteId, label: s.label, samples: [s] });
  }
  return [...map.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Flattens subject groups back to their samples, in group order. */
export function samplesOf(groups: readonly SubjectGroup[]): Sample[] {
  return groups.flatMap((g) => g.samples);
}

/** Splits subjects into strata keyed by (label, site), strata in sorted order. */
export function strataOf(groups: readonly SubjectGroup[]): SubjectGroup[][] {
  const strata = new Map<string, SubjectGroup[]>();
  for (const g of groups) {
    const k = `${g.label}\u0000${g.site}`;
    const list = strata.get(k);
    if (list) list.push(g);
    else strata.set(k, [g]);
  }
  return [...strata.keys()].sort().map((k) => strata.get(k)!);
}

/** Carves a (label, site)-stratified validation fraction of subjects out of a training set. */
export function carveValidation(
  samples: readonly Sample[],
  fraction: number,
  seed: number,
): { train: Sample[]; val: Sample[] } {
  if (!(fraction >= 0 && fraction < 1)) throw new Error(`validation fraction must be in [0, 1), got ${fraction}`);
  const rng = new Rng(seed);
  const train: SubjectGroup[] = [];
  const val: SubjectGroup[] = [];
  for (const stratum of strataOf(groupSubjects(samples))) {
    const shuffled = rng.shuffle(stratum);
    const nVal = Math.round(shuffled.length * fraction);
    val.push(...shuffled.slice(0, nVal));
    train.push(...shuffled.slice(nVal));
  }
  return { train: samplesOf(train), val: samplesOf(val) };
}
