/** The modalities a sample may carry. */
export type Modality = 'image' | 'tabular' | 'text';

/** A single-channel or multi-channel 2-D image, row-major HWC float32 in modality units (e.g. HU). */
export interface Image2D {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly data: Float32Array;
}

/** A 3-D volume, row-major DHWC float32 in modality units (e.g. HU), for the cnn3d encoder. */
export interface Volume {
  readonly depth: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly data: Float32Array;
}

/** One cell of a patient record: a number, a category code, or missing. */
export type TabularValue = number | string | null;

/** A patient record keyed by shared-schema column name. */
export type TabularRecord = Readonly<Record<string, TabularValue>>;

/** Binary diagnosis label: 1 = positive (e.g. malignant), 0 = negative. */
export type BinaryLabel = 0 | 1;

/** One subject at one site, with a label and any subset of modalities. */
export interface Sample {
  readonly subjectId: string;
  readonly siteId: string;
  readonly label: BinaryLabel;
  readonly image?: Image2D;
  /** The whole volume behind `image`, when the experiment asks for volumes (`image` is then its middle slice). */
  readonly volume?: Volume;
  readonly tabular?: TabularRecord;
  readonly text?: string;
}

/** How a tabular column is encoded. */
export type ColumnKind = 'numeric' | 'binary' | 'categorical';

/** A column of the shared tabular schema, in its canonical unit. */
export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Canonical unit after harmonisation, e.g. 'years', 'mm', 'ng/mL'. */
  readonly unit?: string;
  /** Allowed category codes, for categorical columns. */
  readonly categories?: readonly string[];
  readonly description?: string;
}

/** What is known about one site (hospital) in a cohort. */
export interface SiteInfo {
  readonly id: string;
  readonly description?: string;
  /** Columns this site does not record at all. */
  readonly missingColumns?: readonly string[];
  /** Unit each column was recorded in at this site before harmonisation, where it differs. */
  readonly recordedUnits?: Readonly<Record<string, string>>;
}

/** A site-aware collection of samples sharing one tabular schema and image shape. */
export interface Cohort {
  readonly name: string;
  readonly sites: readonly SiteInfo[];
  readonly samples: readonly Sample[];
  readonly tabularSchema: readonly ColumnSpec[];
  /** [height, width, channels] of every image in the cohort, when images are present. */
  readonly imageShape?: readonly [number, number, number];
}
