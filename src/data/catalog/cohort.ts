import type { Cohort, Sample, SiteInfo } from '../types.js';
import type { Catalog } from './catalog.js';

/**
 * Reads a cohort back from the catalog: the given sites (in that order) with their subjects'
 * records and labels. Images stay referenced in the catalog; this cohort is tabular.
 */
export async function readCatalogCohort(catalog: Catalog, name: string, siteIds: readonly string[]): Promise<Cohort> {
  const rows = await catalog.sites();
  const sites: SiteInfo[] = siteIds.map((id) => {
    const r = rows.find((s) => s.siteId === id);
    if (!r) throw new Error(`${catalog.path}: site '${id}' has not been ingested`);
    if (r.completedAt === null) throw new Error(`${catalog.path}: the ingest of site '${id}' is unfinished; run medtl ingest again to resume it`);
    return {
      id,
      ...(r.description !== null && { description: r.description }),
      ...(r.missingColumns.length > 0 && { missingColumns: r.missingColumns }),
      ...(Object.keys(r.recordedUnits).length > 0 && { recordedUnits: r.recordedUnits }),
    };
  });
  const subjects = await catalog.subjects(siteIds);
  const order = new Map(siteIds.map((id, k) => [id, k]));
  const samples: Sample[] = subjects
    .map((s) => ({ subjectId: s.subjectId, siteId: s.siteId, label: s.label, tabular: s.record }))
    .sort((a, b) => (order.get(a.siteId) as number) - (order.get(b.siteId) as number) || compareIds(a.subjectId, b.subjectId));
  return { name, sites, samples, tabularSchema: await catalog.schema() };
}

/** Natural order so `site-2` sorts before `site-10`. */
function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
