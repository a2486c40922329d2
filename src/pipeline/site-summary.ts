import type { Cohort } from '../data/types.js';
import type { ExperimentPartitions } from './partition.js';

/** Per-site counts and prevalence, and the role the site played in the run. */
export interface SiteSummary {
  readonly site: string;
  readonly role: 'source' | 'target' | 'unused';
  readonly n: number;
  readonly positives: number;
  readonly prevalence: number;
  readonly withImage: number;
  readonly withRecord: number;
}

/** Summarises each site of the cohort for the run record. */
export function summariseSites(cohort: Cohort, parts: ExperimentPartitions): SiteSummary[] {
  return cohort.sites.map((site) => {
    const samples = cohort.samples.filter((s) => s.siteId === site.id);
    const positives = samples.filter((s) => s.label === 1).length;
    return {
      site: site.id,
      role: site.id === parts.target ? 'target' : parts.sources.includes(site.id) ? 'source' : 'unused',
      n: samples.length,
      positives,
      prevalence: samples.length ? positives / samples.length : Number.NaN,
      withImage: samples.filter((s) => s.image).length,
      withRecord: samples.filter((s) => s.tabular).length,
    };
  });
}
