import { resolveDeidKey, createPseudonymiser } from '../deid/table.js';
import { prepareSite } from '../ingest/prepare.js';
import type { PreparedSite, QuarantineItem } from '../ingest/types.js';
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

/**
 * Flags a subject id claimed by more than one site: the first site (in manifest order) keeps it, later
 * ones are quarantined, since one patient cannot be in two cohorts' training and test sets at once.
 */
export function dropCrossSiteDuplicates(sites: readonly PreparedSite[]): { sites: PreparedSite[]; quarantine: QuarantineItem[] } {
  const owner = new Map<string, string>();
  const quarantine: QuarantineItem[] = [];
  const out = sites.map((p) => {
    const keep = p.subjects.filter((s) => {
      const first = owner.get(s.subjectId);
      if (first !== undefined && first !== p.site.id) {
        quarantine.push({ site: p.site.id, item: s.from, reason: `patient ${s.subjectId} is already claimed by site '${first}'` });
        return false;
      }
      owner.set(s.subjectId, p.site.id);
      return true;
    });
    return { ...p, subjects: keep };
  });
  return { sites: out, quarantine };
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
 * are left out and listed in `quarantine`.
 */
export async function loadManifestCohort(manifestPath: string, options: ManifestCohortOptions = {}): Promise<ManifestCohort> {
  const manifest = await loadManifest(manifestPath, options);
  const key = resolveDeidKey({ keyFile: options.keyFile, env: options.env });
  const pseudonymise = key ? createPseudonymiser(key) : undefined;
  const prepared: PreparedSite[] = [];
  for (const site of manifest.sites) prepared.push(await prepareSite(site, manifest.schema, { pseudonymise }));
  const dedup = dropCrossSiteDuplicates(prepared);
  const quarantine = [...prepared.flatMap((p) => p.quarantine), ...dedup.quarantine];
  return { cohort: preparedToCohort(manifest.name, manifest.schema, dedup.sites), manifest, quarantine };
}
