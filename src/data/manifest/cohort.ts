import { resolveDeidKey, createPseudonymiser } from '../deid/table.js';
import { prepareSite } from '../ingest/prepare.js';
import { expandSitesFrom } from '../ingest/sites-from.js';
import { assertUsableSites, linkAcrossSites, settleStrayImages } from '../ingest/sites-check.js';
import type { ExcludedItem, PreparedSite, QuarantineItem } from '../ingest/types.js';
import type { Cohort, ColumnSpec, Sample, SiteInfo } from '../types.js';
import { loadManifest, type LoadManifestOptions, type Manifest } from './load.js';
import type { SharedColumn } from './schema.js';

/** Options for loading a manifest straight into a cohort. */
export interface ManifestCohortOptions extends LoadManifestOptions {
  /** De-identification key file for PHI pseudonyms; default MEDTL_DEID_KEY_FILE / MEDTL_DEID_KEY. */
  readonly keyFile?: string;
}

/** A cohort loaded from a manifest, with what was left out and why. */
export interface ManifestCohort {
  readonly cohort: Cohort;
  readonly manifest: Manifest;
  readonly quarantine: readonly QuarantineItem[];
  /** Rows left out on purpose: by a site's include/exclude criteria, or linked to the same person at an earlier site. */
  readonly excluded: readonly ExcludedItem[];
}

/** The shared schema as the cohort's ColumnSpecs. */
export function toColumnSpecs(schema: readonly SharedColumn[]): ColumnSpec[] {
  return schema.map((c) => ({
    name: c.name,
    kind: c.kind,
    ...(c.unit !== undefined && { unit: c.unit }),
    ...(c.categories !== undefined && { categories: c.categories }),
    ...(c.description !== undefined && { description: c.description }),
  }));
}

/** Turns prepared sites into a tabular cohort (images are referenced, not decoded, here). */
export function preparedToCohort(name: string, schema: readonly SharedColumn[], sites: readonly PreparedSite[]): Cohort {
  const samples: Sample[] = sites.flatMap((p) => p.subjects.map((s) => ({ subjectId: s.subjectId, siteId: s.siteId, label: s.label, tabular: s.record })));
  const siteInfo: SiteInfo[] = sites.map((p) => ({
    id: p.site.id,
    ...(p.site.description !== undefined && { description: p.site.description }),
    ...(p.missingColumns.length > 0 && { missingColumns: p.missingColumns }),
    ...(Object.keys(p.recordedUnits).length > 0 && { recordedUnits: p.recordedUnits }),
  }));
  return { name, sites: siteInfo, samples, tabularSchema: toColumnSpecs(schema) };
}

/**
 * Loads a site manifest into a typed, tabular Cohort in memory (no workspace is written): reads every
 * site's tables, maps them to the shared schema in canonical units and applies the labels. Bad rows
 * are left out and listed in `quarantine`, rows left out on purpose in `excluded`; a manifest the data
 * shows to be wrong (unreadable table, unknown column, empty site) is a ManifestError.
 */
export async function loadManifestCohort(manifestPath: string, options: ManifestCohortOptions = {}): Promise<ManifestCohort> {
  const manifest = await expandSitesFrom(await loadManifest(manifestPath, options));
  const key = resolveDeidKey({ keyFile: options.keyFile, env: options.env });
  const pseudonymise = key ? createPseudonymiser(key) : undefined;
  const prepared: PreparedSite[] = [];
  for (const site of manifest.sites) prepared.push(await prepareSite(site, manifest.schema, { pseudonymise }));
  const linked = linkAcrossSites(settleStrayImages(prepared));
  assertUsableSites(manifest, linked);
  return {
    cohort: preparedToCohort(manifest.name, manifest.schema, linked),
    manifest,
    quarantine: linked.flatMap((p) => p.quarantine),
    excluded: linked.flatMap((p) => p.excluded),
  };
}
