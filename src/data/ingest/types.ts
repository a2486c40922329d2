import type { ManifestSite } from '../manifest/load.js';
import type { DelimiterUsed } from '../tables/types.js';
import type { BinaryLabel, TabularValue } from '../types.js';

/** An input item that was not ingested, and why. Reasons never quote PHI (ids are shown pseudonymised). */
export interface QuarantineItem {
  readonly site: string;
  /** The file and the row/line/tag, e.g. `/data/a.csv line 12` or `/img/x.dcm`. */
  readonly item: string;
  readonly reason: string;
}

/** An image file a site's image source lists but none of its records uses; quarantined unless another site (sharing the folder) uses it. */
export interface StrayImage extends QuarantineItem {
  /** The file as listed, to compare with the files other sites' subjects use. */
  readonly file: string;
}

/** A row left out on purpose, not for being bad: by the site's include/exclude criteria, or as a record linked to the same person at an earlier site. */
export interface ExcludedItem {
  readonly site: string;
  /** The table location(s) of the row, e.g. `/data/a.csv line 12`. */
  readonly item: string;
  readonly reason: string;
  /** criteria: the site's `include` / `exclude`; link: the same person (by `subjectId.link`) is kept at an earlier site. */
  readonly kind: 'criteria' | 'link';
}

/** Reference to the image file(s) of one subject, before decoding. */
export interface ImageRef {
  /** The join key used to find the files (pseudonymised when the key column is PHI). */
  readonly key: string;
  readonly files: readonly string[];
  /** The raw key is PHI, so file names holding it must not reach the workspace (the files are copied under the pseudonym). */
  readonly phiKey?: boolean;
  /** Replaces the raw key in a path by the shown key, for messages. */
  readonly hide?: (path: string) => string;
}

/** One subject of one site after mapping to the shared schema and applying the label. */
export interface PreparedSubject {
  readonly siteId: string;
  /** Subject id as stored: pseudonymised when the id column is PHI. */
  readonly subjectId: string;
  readonly label: BinaryLabel;
  /** The source value the label was derived from, as text (absent for an expression label). */
  readonly labelSource?: string;
  /** PHI columns declared `pseudonymise` (other than the id) → keyed pseudonym; kept for linking, never model features. */
  readonly pseudonyms?: Readonly<Record<string, string>>;
  /** Shared-schema values in canonical units; null = missing. */
  readonly record: Readonly<Record<string, TabularValue>>;
  /** The table location(s) the record came from, e.g. `/data/a.csv line 12`. */
  readonly from: string;
  /** The clinical note from the site's `text` column (absent when the cell is empty or missing). */
  readonly text?: string;
  readonly image?: ImageRef;
  /** The `subjectId.link` key (pseudonymised when that column is PHI); absent when the site links nothing or the cell is empty. */
  readonly linkKey?: string;
}

/** What one site's tables and images yield before writing. */
export interface PreparedSite {
  readonly site: ManifestSite;
  readonly subjects: readonly PreparedSubject[];
  readonly quarantine: readonly QuarantineItem[];
  /** Listed image files no record of this site uses, before other sites are consulted (see settleStrayImages). */
  readonly strays: readonly StrayImage[];
  /** Rows left out by the site's include/exclude criteria (links are added across sites later). */
  readonly excluded: readonly ExcludedItem[];
  /** Manifest mistakes only the data can show (an unreadable table, a named column no header holds); the ingest refuses when any. */
  readonly problems: readonly string[];
  /** Every input file read (tables, NDJSON files; image files are in each subject's ImageRef). */
  readonly sourceFiles: readonly string[];
  /** Each table source that could be read, with the delimiter a CSV/TSV file was split on. */
  readonly tables: readonly TableRead[];
  /** Shared columns with no value at all at this site. */
  readonly missingColumns: readonly string[];
  /** Unit each shared column was recorded in here, where it differs from the shared unit. */
  readonly recordedUnits: Readonly<Record<string, string>>;
}

/** One table source of a site as read: the file or folder, and for a CSV/TSV file its delimiter. */
export interface TableRead {
  readonly source: string;
  readonly delimiter?: DelimiterUsed;
}
