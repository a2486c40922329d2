import type { Cohort } from '../data/types.js';
import type { SiteSummary } from '../record/types.js';

/** Summarises each site of the cohort for the run record: counts, prevalence and its role over the run's folds. */
export function summariseSites(cohort: Cohort, folds: readonly { readonly target: string; readonly sources: readonly string[] }[]): SiteSummary[] {
  const targets = new Set(folds.map((f) => f.target));
  const sources = new Set(folds.flatMap((f) => f.sources));
  return cohort.sites.map((site) => {
    const samples = cohort.samples.filter((s) => s.siteId === site.id);
    const positives = samples.filter((s) => s.label === 1).length;
    return {
      site: site.id,
      role: targets.has(site.id) ? 'target' : sources.has(site.id) ? 'source' : 'unused',
      n: samples.length,
      positives,
      prevalence: samples.length ? positives / samples.length : Number.NaN,
      withImage: samples.filter((s) => s.image).length,
      withRecord: samples.filter((s) => s.tabular).length,
    };
  });
}
