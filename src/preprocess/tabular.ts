import type { ColumnSpec, Sample, TabularRecord, TabularValue } from '../data/types.js';

/** Fitted statistics for one numeric or binary column. */
export interface NumericColumnState {
  readonly name: string;
  readonly kind: 'numeric' | 'binary';
  /** Value used where the cell is missing (training median, or training mean for binary). */
  readonly fill: number;
  readonly mean: number;
  readonly sd: number;
}

/** Fitted categories for one categorical column. */
export interface CategoricalColumnState {
  readonly name: string;
  readonly kind: 'categorical';
  /** Categories seen in training or in the unlabelled vocabulary rows, in one-hot order; unseen values encode as all zeros. */
  readonly categories: readonly string[];
  /** Those of `categories` seen only in the unlabelled vocabulary rows (e.g. the target site's), never in labelled training rows. */
  readonly unlabelledOnly?: readonly string[];
}

/** Serialisable state of a fitted tabular preprocessor. */
export interface TabularPreprocessorState {
  readonly type: 'tabular';
  readonly version: 1;
  readonly columns: readonly (NumericColumnState | CategoricalColumnState)[];
  /** Names of the output features, in order. */
  readonly featureNames: readonly string[];
  readonly nFit: number;
  /** 'embedding': categorical columns leave the float vector and become category indices for learned embeddings; one-hot when absent. */
  readonly categorical?: 'onehot' | 'embedding';
}

/** How categorical columns are encoded: one-hot in the float vector, or indices for learned embeddings. */
export type CategoricalEncoding = 'onehot' | 'embedding';

// Standardised values are clipped so one wild outlier (or a unit error) cannot dominate a batch.
const Z_CLIP = 5;

/** A tabular preprocessor fitted on training samples: impute, standardise, one-hot, missingness flags. */
export class FittedTabular {
  /** Wraps a fitted state; use fitTabular() or FittedTabular.fromJSON() to obtain one. */
  constructor(readonly state: TabularPreprocessorState) {}

  /** Number of output features per record. */
  get dim(): number {
    return this.state.featureNames.length;
  }

  /** Whether categorical columns are encoded as embedding indices rather than one-hot. */
  get embedsCategories(): boolean {
    return this.state.categorical === 'embedding';
  }

  /** The categorical columns, in index-block order. */
  get categoricalColumns(): CategoricalColumnState[] {
    return this.state.columns.filter((c): c is CategoricalColumnState => c.kind === 'categorical');
  }

  /** Indices per categorical column: its training categories plus index 0 for missing or unseen. */
  get cardinalities(): number[] {
    return this.categoricalColumns.map((c) => c.categories.length + 1);
  }

  /** Writes one record's category indices (1 + position among training categories; 0 = missing or unseen) into `out` at `offset`. */
  indicesInto(record: TabularRecord | undefined, out: Int32Array, offset: number): void {
    this.categoricalColumns.forEach((col, j) => {
      const raw = record?.[col.name] ?? null;
      out[offset + j] = raw === null ? 0 : col.categories.indexOf(String(raw)) + 1;
    });
  }

  /** Encodes one record (missing record = every column missing) into `out` at `offset`. */
  applyInto(record: TabularRecord | undefined, out: Float32Array, offset: number): void {
    let k = offset;
    for (const col of this.state.columns) {
      const raw = record?.[col.name] ?? null;
      if (col.kind === 'categorical') {
        if (this.embedsCategories) continue;
        const v = raw === null ? null : String(raw);
        for (const c of col.categories) out[k++] = v === c ? 1 : 0;
        out[k++] = v === null ? 1 : 0;
      } else {
        const v = toNumber(raw, col.name);
        const filled = v === null ? col.fill : v;
        const z = (filled - col.mean) / col.sd;
        out[k++] = Math.max(-Z_CLIP, Math.min(Z_CLIP, z));
        out[k++] = v === null ? 1 : 0;
      }
    }
  }

  /** Encodes one record into a new feature vector. */
  apply(record: TabularRecord | undefined): Float32Array {
    const out = new Float32Array(this.dim);
    this.applyInto(record, out, 0);
    return out;
  }

  /** The JSON-serialisable state, for saving beside a model. */
  toJSON(): TabularPreprocessorState {
    return this.state;
  }

  /** Restores a fitted preprocessor from its saved state. */
  static fromJSON(state: TabularPreprocessorState): FittedTabular {
    if (state.type !== 'tabular' || state.version !== 1) throw new Error(`not a tabular preprocessor state (type=${state.type}, version=${state.version})`);
    return new FittedTabular(state);
  }
}

/**
 * Fits the tabular preprocessor on training samples only; statistics never see validation or test data.
 * `vocabularyRows` (e.g. the target site's unlabelled subjects) only add categories: their records are read,
 * never their labels, and they do not enter the numeric statistics.
 */
export function fitTabular(train: readonly Sample[], schema: readonly ColumnSpec[], categorical: CategoricalEncoding = 'onehot', vocabularyRows: readonly Sample[] = []): FittedTabular {
  if (train.length === 0) throw new Error('cannot fit the tabular preprocessor on zero training samples');
  const columns: (NumericColumnState | CategoricalColumnState)[] = [];
  const featureNames: string[] = [];
  for (const spec of schema) {
    if (spec.kind === 'categorical') {
      const seen = categoriesOf(train, spec.name);
      const extra = [...categoriesOf(vocabularyRows, spec.name)].filter((c) => !seen.has(c));
      const categories = [...seen, ...extra].sort();
      columns.push({ name: spec.name, kind: 'categorical', categories, ...(extra.length ? { unlabelledOnly: extra.sort() } : {}) });
      if (categorical === 'onehot') {
        for (const c of categories) featureNames.push(`${spec.name}=${c}`);
        featureNames.push(`${spec.name}__missing`);
      }
      continue;
    }
    const values: number[] = [];
    for (const s of train) {
      const v = toNumber(s.tabular?.[spec.name] ?? null, spec.name);
      if (v !== null) values.push(v);
    }
    // A column no training site records still gets a slot, so the feature layout is schema-fixed.
    const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
    const variance = values.length > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1) : 0;
    const sd = variance > 1e-12 ? Math.sqrt(variance) : 1;
    const fill = values.length === 0 ? 0 : spec.kind === 'binary' ? mean : median(values);
    columns.push({ name: spec.name, kind: spec.kind, fill, mean, sd });
    featureNames.push(spec.name, `${spec.name}__missing`);
  }
  return new FittedTabular({ type: 'tabular', version: 1, columns, featureNames, nFit: train.length, ...(categorical === 'embedding' ? { categorical } : {}) });
}

function categoriesOf(rows: readonly Sample[], column: string): Set<string> {
  const seen = new Set<string>();
  for (const s of rows) {
    const v = s.tabular?.[column];
    if (v !== null && v !== undefined) seen.add(String(v));
  }
  return seen;
}

function toNumber(v: TabularValue | undefined, column: string): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new Error(`column '${column}': value ${JSON.stringify(v)} is not a number`);
  return n;
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
