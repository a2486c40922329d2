import { z } from 'zod';

/** A missing-value marker or a coded value as written in a source table (`?`, `NA`, `0`, `-9`). */
const scalar = z.union([z.string(), z.number()]);

/** Schema of one column of the shared (harmonised) schema every site is mapped to. */
export const sharedColumnSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'use letters, digits and underscores'),
  kind: z.enum(['numeric', 'binary', 'categorical']),
  /** Canonical unit; a site recording another unit declares it and is converted. */
  unit: z.string().optional(),
  /** What is measured, for unit conversions that need a molar mass (creatinine, cholesterol, glucose). */
  analyte: z.string().optional(),
  categories: z.array(z.string()).optional(),
  description: z.string().optional(),
});

/** Schema of one FHIR-derived column: which resources, which value, how several are aggregated. */
export const fhirColumnSchema = z.strictObject({
  resource: z.enum(['Patient', 'Observation', 'Condition']),
  /** Match resources whose `code.coding` holds one of these codes (e.g. a LOINC or SNOMED code). */
  code: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  /** FHIRPath boolean filter evaluated on each resource, in addition to `code`. */
  where: z.string().optional(),
  /** FHIRPath giving the value; default `valueQuantity.value` for Observation, none for the others. */
  path: z.string().optional(),
  /** How the values of several matching resources become one: latest (by `time`), mean, first, count, present (1/0). */
  aggregate: z.enum(['latest', 'mean', 'first', 'count', 'present']).default('latest'),
  /** FHIRPath giving the time used by `latest`; default effectiveDateTime / issued, onsetDateTime / recordedDate. */
  time: z.string().optional(),
});

/** Schema of a FHIR R4 Bulk Data export folder (Patient.ndjson, Observation.ndjson, Condition.ndjson). */
export const fhirSourceSchema = z.strictObject({
  folder: z.string().min(1),
  /** Output column name → how it is computed; the patient id is the column `id`. */
  columns: z.record(z.string(), fhirColumnSchema),
});

/** Schema of one tabular source of a site: a CSV/TSV/Parquet file, or a FHIR NDJSON folder. */
export const tableSourceSchema = z
  .strictObject({
    /** File path, relative to the manifest root. */
    path: z.string().min(1).optional(),
    fhir: fhirSourceSchema.optional(),
    /** Default from the extension: .parquet → parquet, .tsv/.tab → tsv, anything else csv. */
    format: z.enum(['csv', 'tsv', 'parquet']).optional(),
    header: z.boolean().default(true),
    /** Column names in file order (required when header is false; renames the header otherwise). */
    names: z.array(z.string().min(1)).min(1).optional(),
    /** Explicit schema: column → DuckDB type (e.g. DOUBLE, VARCHAR, DATE); other columns are inferred. */
    types: z.record(z.string(), z.string()).optional(),
    delimiter: z.string().min(1).max(2).optional(),
    /** Cell values read as missing in every column; default `''`, `NA` and `?`. */
    missing: z.array(scalar).optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.path === undefined) === (t.fhir === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of path (CSV/TSV/Parquet) or fhir (NDJSON folder)' });
    if (t.path !== undefined && !t.header && t.names === undefined) ctx.addIssue({ code: 'custom', path: ['names'], message: 'a table with header: false needs names: [...]' });
  });

/** Schema of how a site's subject id is obtained. */
export const subjectIdSchema = z
  .strictObject({
    /** Source column holding the subject id (e.g. an MRN; declare it under phi to pseudonymise it). */
    column: z.string().min(1).optional(),
    /** Use the 1-based data row number of the (single) table, prefixed by the site id. */
    row: z.literal(true).optional(),
    /**
     * Source column holding a key shared across sites (e.g. a master patient index): records with the
     * same link key at two sites are one person, kept at the first site in manifest order only.
     */
    link: z.string().min(1).optional(),
  })
  .refine((s) => (s.column === undefined) !== (s.row === undefined), { message: 'give exactly one of column or row: true' });

/** Schema of a label definition: a column and its positive (and optionally negative) values, or a FHIRPath expression over the source row. */
export const labelSchema = z
  .strictObject({
    column: z.string().min(1).optional(),
    positive: z.array(scalar).min(1).optional(),
    /** When given, any value outside positive ∪ negative is an error that quarantines the row. */
    negative: z.array(scalar).min(1).optional(),
    /** FHIRPath boolean over the source row's columns, e.g. `num > 0`. */
    expression: z.string().min(1).optional(),
  })
  .superRefine((l, ctx) => {
    if ((l.column === undefined) === (l.expression === undefined)) ctx.addIssue({ code: 'custom', message: 'give exactly one of column (with positive) or expression' });
    if (l.column !== undefined && l.positive === undefined) ctx.addIssue({ code: 'custom', path: ['positive'], message: 'a label column needs positive: [...]' });
  });

/** Schema of how one shared column is filled at a site. */
export const columnMappingSchema = z.strictObject({
  /** Source column name; default the shared column's name. */
  from: z.string().min(1).optional(),
  /** Unit the site recorded; converted to the shared column's unit. */
  unit: z.string().optional(),
  /** Source value → shared category (null = missing). Keys are compared as text (`1` matches 1 and 1.0). */
  recode: z.record(z.string(), z.union([z.string(), z.number(), z.null()])).optional(),
  /** Extra values that mean "missing" in this column at this site (e.g. 0 for an unmeasured cholesterol). */
  missing: z.array(scalar).optional(),
});

/** Schema of an image source: a folder with a file-name pattern, a glob with a subject regex, or a DICOMweb endpoint. */
export const imageSourceSchema = z
  .strictObject({
    /** Folder holding one file per subject, named by `pattern`. */
    folder: z.string().min(1).optional(),
    /** File name inside `folder`; `{key}` is replaced by the join key. */
    pattern: z.string().includes('{key}').optional(),
    /** Glob (relative to the root) of image files; `match` pulls the join key out of each file name. */
    glob: z.string().min(1).optional(),
    /** Regular expression with a named group `key`, applied to the file name (not the folder). */
    match: z.string().optional(),
    dicomweb: z.strictObject({ url: z.url(), studies: z.array(z.string()).optional() }).optional(),
    /** Source column that holds the join key; default the subject id column. */
    key: z.string().min(1).optional(),
    /** A record without an image is quarantined when true (default), kept tabular-only when false. */
    required: z.boolean().default(true),
  })
  .superRefine((s, ctx) => {
    const kinds = [s.folder, s.glob, s.dicomweb].filter((x) => x !== undefined).length;
    if (kinds !== 1) ctx.addIssue({ code: 'custom', message: 'give exactly one of folder (+ pattern), glob (+ match) or dicomweb' });
    if (s.folder !== undefined && s.pattern === undefined) ctx.addIssue({ code: 'custom', path: ['pattern'], message: "a folder needs pattern, e.g. '{key}.nii.gz'" });
    if (s.glob !== undefined && s.match === undefined) ctx.addIssue({ code: 'custom', path: ['match'], message: "a glob needs match, e.g. '^(?<key>[^_]+)_'" });
    if (s.match !== undefined) {
      try {
        if (!new RegExp(s.match).source.includes('(?<key>')) ctx.addIssue({ code: 'custom', path: ['match'], message: 'the pattern needs a named group (?<key>...)' });
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['match'], message: `not a valid regular expression: ${(e as Error).message}` });
      }
    }
  });

/** Schema of a site's clinical notes: a source table column holding one free-text note per subject (the `text` modality). */
export const textSourceSchema = z.strictObject({
  /** Source column with the note; an empty or missing cell means the subject has no note. */
  column: z.string().min(1),
});

/** What happens to a PHI column: dropped, or replaced by a keyed HMAC-SHA256 pseudonym. */
export const phiActionSchema = z.enum(['drop', 'pseudonymise']);

const siteShape = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'use letters, digits, _ . -'),
  description: z.string().optional(),
  images: imageSourceSchema.optional(),
  text: textSourceSchema.optional(),
  tables: z.array(tableSourceSchema).min(1),
  subjectId: subjectIdSchema,
  label: labelSchema,
  /** Shared column → how this site fills it; a shared column not listed is read from the source column of the same name, if any. */
  columns: z.record(z.string(), columnMappingSchema).default({}),
  /** Source column → drop or pseudonymise. Never stored as is. */
  phi: z.record(z.string(), phiActionSchema).default({}),
  /** FHIRPath boolean over the source row: a row is kept only when it gives true (inclusion criterion). */
  include: z.string().min(1).optional(),
  /** FHIRPath boolean over the source row: a row that gives true is left out (exclusion criterion). */
  exclude: z.string().min(1).optional(),
  /** A site that ends an ingest with no subject is an error unless this is true. */
  allowEmpty: z.boolean().default(false),
  /** Source column whose values split this entry into one site per value, `<id>-<value>` (e.g. a hospital column). */
  sitesFrom: z.string().min(1).optional(),
};

/** Schema of one site. */
export const siteSchema = z.strictObject(siteShape);

/** Schema of the `defaults` block: any site field except id, used where a site does not give it. */
export const siteDefaultsSchema = z.strictObject({
  description: z.string().optional(),
  images: imageSourceSchema.optional(),
  text: textSourceSchema.optional(),
  tables: z.array(tableSourceSchema).min(1).optional(),
  subjectId: subjectIdSchema.optional(),
  label: labelSchema.optional(),
  columns: z.record(z.string(), columnMappingSchema).optional(),
  phi: z.record(z.string(), phiActionSchema).optional(),
  include: z.string().min(1).optional(),
  exclude: z.string().min(1).optional(),
  allowEmpty: z.boolean().optional(),
});

/** Schema of a manifest file: a shared schema and sites (inline, or paths of per-site YAML files). */
export const manifestSchema = z.strictObject({
  name: z.string().default('cohort'),
  /** Folder that relative data paths start from (relative to this file); `${VAR:-default}` is expanded. */
  root: z.string().optional(),
  schema: z.array(sharedColumnSchema).min(1),
  defaults: siteDefaultsSchema.optional(),
  sites: z.array(z.union([z.string().min(1), z.record(z.string(), z.unknown())])).min(1),
});

/** One shared column as validated. */
export type SharedColumn = z.output<typeof sharedColumnSchema>;
/** One FHIR column declaration as validated. */
export type FhirColumn = z.output<typeof fhirColumnSchema>;
/** A FHIR source as validated. */
export type FhirSource = z.output<typeof fhirSourceSchema>;
/** A table source as validated. */
export type TableSource = z.output<typeof tableSourceSchema>;
/** A label definition as validated. */
export type LabelSpec = z.output<typeof labelSchema>;
/** A column mapping as validated. */
export type ColumnMapping = z.output<typeof columnMappingSchema>;
/** An image source as validated. */
export type ImageSource = z.output<typeof imageSourceSchema>;
/** A PHI action. */
export type PhiAction = z.output<typeof phiActionSchema>;
/** One site as validated (before paths are resolved). */
export type SiteSpec = z.output<typeof siteSchema>;
