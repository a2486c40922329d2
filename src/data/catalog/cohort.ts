import type { Cohort, Image2D, Sample, SiteInfo, Volume } from '../types.js';
import type { Catalog } from './catalog.js';
import { loadSubjectImage, loadSubjectVolume } from './images.js';

/** Options of readCatalogCohort. */
export interface CatalogCohortOptions {
  /** Decode each subject's image references into `Sample.image` (default false: a tabular cohort). */
  readonly images?: boolean;
  /** With `images`, also keep each subject's whole volume in `Sample.volume`, for the cnn3d encoder (default false). */
  readonly volumes?: boolean;
}

/**
 * Reads a cohort back from the catalog: the given sites (in that order) with their subjects'
 * records and labels, and with `images: true` each subject's image as a 2-D slice (see volumeToImage2D),
 * plus with `volumes: true` its whole volume (see imageVolumeToVolume).
 */
export async function readCatalogCohort(catalog: Catalog, name: string, siteIds: readonly string[], options: CatalogCohortOptions = {}): Promise<Cohort> {
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
  const samples: Sample[] = [];
  let imageShape: [number, number, number] | undefined;
  for (const s of subjects) {
    let image: Image2D | undefined;
    let volume: Volume | undefined;
    if (options.images && s.images.length > 0) {
      if (options.volumes) ({ image, volume } = await loadSubjectVolume(s.images));
      else image = await loadSubjectImage(s.images);
      imageShape ??= [image.height, image.width, image.channels];
    }
    samples.push({ subjectId: s.subjectId, siteId: s.siteId, label: s.label, tabular: s.record, ...(image && { image }), ...(volume && { volume }), ...(s.text !== undefined && { text: s.text }) });
  }
  samples.sort((a, b) => (order.get(a.siteId) as number) - (order.get(b.siteId) as number) || compareIds(a.subjectId, b.subjectId));
  // Images may differ in size (the image preprocessor resamples each); imageShape is the first one's.
  return { name, sites, samples, tabularSchema: await catalog.schema(), ...(imageShape && { imageShape }) };
}

/** Natural order so `site-2` sorts before `site-10`. */
function compareIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
