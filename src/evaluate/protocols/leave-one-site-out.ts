import type { Sample } from '../../data/types.js';

/** One leave-one-site-out fold: the held-out target site and the source sites that train. */
export interface SiteFold {
  readonly index: number;
  readonly target: string;
  readonly sources: readonly string[];
  readonly targetSamples: readonly Sample[];
  readonly sourceSamples: readonly Sample[];
}

/** Leave-one-site-out: one fold per site (sorted by id), that site the target and the rest sources. */
export function leaveOneSiteOut(samples: readonly Sample[]): SiteFold[] {
  const sites = [...new Set(samples.map((s) => s.siteId))].sort();
  if (sites.length < 2) throw new Error(`leave-one-site-out needs at least 2 sites, got ${sites.length}${sites.length ? ` (${sites[0]})` : ''}`);
  return sites.map((target, index) => ({
    index,
    target,
    sources: sites.filter((s) => s !== target),
    targetSamples: samples.filter((s) => s.siteId === target),
    sourceSamples: samples.filter((s) => s.siteId !== target),
  }));
}
