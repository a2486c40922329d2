import { z } from 'zod';
import type { ColumnSpec, SiteInfo } from '../types.js';
import type { SyntheticCohortOptions } from './spec.js';

// The on-disk cohort format shared by writeCohort and readCohort: one folder per site plus a manifest.

/** Name of the top-level manifest; it is written last, so its presence marks a complete cohort. */
export const COHORT_MANIFEST = 'cohort.json';
/** Value of the manifest's `format` field. */
export const FORMAT = 'medtl-cohort';
/** Version of the format this code writes and reads. */
export const FORMAT_VERSION = 1;
/** Site ids name folders, so they are restricted to safe characters. */
export const SITE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
/** A numeric CSV cell: plain decimal or exponent notation (no hex, no spaces, no 'Infinity'). */
export const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** A file of the cohort with its size and checksum. */
export const fileRef = z.strictObject({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() });
/** A file reference as stored in cohort.json. */
export type FileRef = z.infer<typeof fileRef>;

const columnSpec = z.strictObject({
  name: z.string().min(1),
  kind: z.enum(['numeric', 'binary', 'categorical']),
  unit: z.string().optional(),
  categories: z.array(z.string()).optional(),
  description: z.string().optional(),
});
const siteInfo = z.strictObject({
  id: z.string().regex(SITE_ID),
  description: z.string().optional(),
  missingColumns: z.array(z.string()).optional(),
  recordedUnits: z.record(z.string(), z.string()).optional(),
});
/** Schema of cohort.json. */
export const manifestSchema = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(FORMAT_VERSION),
  name: z.string(),
  tabularSchema: z.array(columnSpec),
  imageShape: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]).nullable(),
  sites: z.array(z.strictObject({ info: siteInfo, rows: z.number().int().nonnegative(), records: fileRef, images: fileRef.optional() })),
  // Generator options are a record of provenance; they are carried through, not interpreted.
  generator: z.record(z.string(), z.unknown()).optional(),
});
/** The parsed cohort.json. */
export type Manifest = z.infer<typeof manifestSchema>;

/** A cohort that carries the options of the generator that produced it (see SyntheticCohort). */
export interface WithGenerator {
  readonly generator?: { readonly name: string; readonly version: number; readonly options: SyntheticCohortOptions };
}

/** Columns a site's records.csv holds, in schema order: the schema minus the columns the site does not record. */
export function siteColumns(schema: readonly ColumnSpec[], site: SiteInfo): ColumnSpec[] {
  const missing = new Set(site.missingColumns ?? []);
  return schema.filter((c) => !missing.has(c.name));
}

