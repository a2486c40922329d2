import type { Sample } from '../data/types.js';

/** How clinical notes become vectors: hashed word and character n-grams, optionally IDF-weighted. */
export interface TextPreprocessOptions {
  /** Hash buckets (vector length). Default 1024. */
  readonly dim?: number;
  /** Longest word n-gram (1 = unigrams only). Default 2. */
  readonly wordNgrams?: number;
  /** Character n-gram length within words (0 = none). Default 3. */
  readonly charNgrams?: number;
  /** Weight buckets by inverse document frequency fitted on the training notes. Default true. */
  readonly idf?: boolean;
}

/** Serialisable state of a fitted text featuriser. */
export interface TextPreprocessorState {
  readonly type: 'text';
  readonly version: 1;
  readonly dim: number;
  readonly wordNgrams: number;
  readonly charNgrams: number;
  /** Per-bucket IDF from the training notes, or null for plain term frequencies. */
  readonly idf: readonly number[] | null;
  readonly nFit: number;
}

/** 32-bit FNV-1a hash of a string. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Lower-cased word tokens of a note (letters and digits). */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** The n-gram terms of a note: word 1..wordNgrams-grams and character n-grams of each padded word. */
export function noteTerms(text: string, wordNgrams: number, charNgrams: number): string[] {
  const words = tokenize(text);
  const terms: string[] = [];
  for (let n = 1; n <= wordNgrams; n++) for (let i = 0; i + n <= words.length; i++) terms.push(`w${n}:${words.slice(i, i + n).join(' ')}`);
  if (charNgrams > 0) {
    for (const w of words) {
      const padded = `<${w}>`;
      for (let i = 0; i + charNgrams <= padded.length; i++) terms.push(`c:${padded.slice(i, i + charNgrams)}`);
    }
  }
  return terms;
}

/** A text featuriser fitted on training notes: hashed n-gram counts, sublinear TF, optional IDF, L2-normalised. */
export class FittedText {
  /** Wraps a fitted state; use fitText() or FittedText.fromJSON() to obtain one. */
  constructor(readonly state: TextPreprocessorState) {}

  /** Vector length. */
  get dim(): number {
    return this.state.dim;
  }

  /** Hashed term counts of a note, as bucket -> count. */
  private counts(text: string): Map<number, number> {
    const m = new Map<number, number>();
    for (const t of noteTerms(text, this.state.wordNgrams, this.state.charNgrams)) {
      const b = fnv1a(t) % this.state.dim;
      m.set(b, (m.get(b) ?? 0) + 1);
    }
    return m;
  }

  /** Featurises one note into `out` at `offset`; a missing or empty note is all zeros. */
  applyInto(text: string | undefined, out: Float32Array, offset: number): void {
    out.fill(0, offset, offset + this.dim);
    if (!text) return;
    let norm = 0;
    for (const [b, c] of this.counts(text)) {
      const v = (1 + Math.log(c)) * (this.state.idf ? this.state.idf[b] : 1);
      out[offset + b] = v;
      norm += v * v;
    }
    if (norm > 0) {
      const s = 1 / Math.sqrt(norm);
      for (let i = 0; i < this.dim; i++) out[offset + i] *= s;
    }
  }

  /** Featurises one note into a new vector. */
  apply(text: string | undefined): Float32Array {
    const out = new Float32Array(this.dim);
    this.applyInto(text, out, 0);
    return out;
  }

  /** The JSON-serialisable state, for saving beside a model. */
  toJSON(): TextPreprocessorState {
    return this.state;
  }

  /** Restores a fitted featuriser from its saved state. */
  static fromJSON(state: TextPreprocessorState): FittedText {
    if (state.type !== 'text' || state.version !== 1) throw new Error(`not a text preprocessor state (type=${state.type}, version=${state.version})`);
    return new FittedText(state);
  }
}

/** Fits the text featuriser (its IDF) on training notes only. */
export function fitText(train: readonly Sample[], opts: TextPreprocessOptions = {}): FittedText {
  const dim = opts.dim ?? 1024;
  const wordNgrams = opts.wordNgrams ?? 2;
  const charNgrams = opts.charNgrams ?? 3;
  if (!Number.isInteger(dim) || dim < 1) throw new Error(`text dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(wordNgrams) || wordNgrams < 1) throw new Error(`text wordNgrams must be an integer >= 1, got ${wordNgrams}`);
  if (!Number.isInteger(charNgrams) || charNgrams < 0) throw new Error(`text charNgrams must be an integer >= 0, got ${charNgrams}`);
  const notes = train.filter((s) => s.text).map((s) => s.text!);
  let idf: number[] | null = null;
  if (opts.idf ?? true) {
    const df = new Float64Array(dim);
    const probe = new FittedText({ type: 'text', version: 1, dim, wordNgrams, charNgrams, idf: null, nFit: 0 });
    for (const note of notes) for (const b of probe['counts'](note).keys()) df[b]++;
    // Smoothed IDF (as scikit-learn's smooth_idf): unseen buckets get the largest weight, never infinity.
    idf = Array.from(df, (d) => Math.log((1 + notes.length) / (1 + d)) + 1);
  }
  return new FittedText({ type: 'text', version: 1, dim, wordNgrams, charNgrams, idf, nFit: notes.length });
}
