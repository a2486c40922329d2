import { pairedTInterval, type PairedMeanDifference } from './paired.js';

/** What a paired interval allows one to say: better or worse only where it excludes 0. */
export type PairedVerdict = 'better' | 'worse' | 'not shown' | 'n/a';

/** A method against a reference over seeds, each seed's difference taken on that seed's own test set. */
export interface PairedSeedComparison extends PairedMeanDifference {
  /** Seeds present for both, ascending; the differences are in this order. */
  readonly seeds: readonly number[];
  readonly differences: readonly number[];
  /** Seeds that only one of the two has (left out of the pairing, and named so a summary can say so). */
  readonly unpaired: readonly number[];
  readonly verdict: PairedVerdict;
}

/**
 * The verdict of a paired interval of a − b: "better" where it lies wholly on the favourable side of 0,
 * "worse" on the other side, "not shown" where it contains 0, "n/a" without an interval (fewer than 2 pairs).
 */
export function pairedVerdict(ci: readonly [number, number], higherIsBetter = true): PairedVerdict {
  if (!Number.isFinite(ci[0]) || !Number.isFinite(ci[1])) return 'n/a';
  if (ci[0] > 0) return higherIsBetter ? 'better' : 'worse';
  if (ci[1] < 0) return higherIsBetter ? 'worse' : 'better';
  return 'not shown';
}

/**
 * Mean of a(seed) − b(seed) over the seeds both have, with its Student-t interval and verdict. Pairs are
 * matched by seed, never by position, so two runs that finished their seeds in different orders still pair
 * each test set with itself. Throws when no seed is shared.
 */
export function pairedSeedComparison(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>, opts: { higherIsBetter?: boolean; level?: number } = {}): PairedSeedComparison {
  const seeds = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
  const unpaired = [...new Set([...a.keys(), ...b.keys()])].filter((s) => !(a.has(s) && b.has(s))).sort((x, y) => x - y);
  if (seeds.length === 0) throw new Error(`paired seed comparison: no seed in common (method seeds ${[...a.keys()].join(', ') || 'none'}, reference seeds ${[...b.keys()].join(', ') || 'none'})`);
  const differences = seeds.map((s) => a.get(s)! - b.get(s)!);
  const t = pairedTInterval(differences, opts.level);
  return { ...t, seeds, differences, unpaired, verdict: pairedVerdict(t.ci, opts.higherIsBetter ?? true) };
}
