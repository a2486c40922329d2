import type { ColumnSpec, Modality, Sample } from '../data/types.js';
import { subjectKey } from '../data/splits.js';
import type { FeatureSet } from './features.js';
import { FittedImage, fitImage, type ImagePreprocessOptions, type ImagePreprocessorState } from './image.js';
import { FittedTabular, fitTabular, type CategoricalEncoding, type TabularPreprocessorState } from './tabular.js';
import { FittedText, fitText, type TextPreprocessOptions, type TextPreprocessorState } from './text.js';
import { FittedVolume, fitVolume, type VolumePreprocessOptions, type VolumePreprocessorState } from './volume.js';

/** Image embeddings precomputed by a frozen backbone, looked up by `site/subject` key in place of fitting an image preprocessor. */
export interface ImageEmbeddingLookup {
  /** Floats per embedding. */
  readonly dim: number;
  /** Embedding of each subject that has an image. */
  readonly byKey: ReadonlyMap<string, Float32Array>;
  /** The backbone that computed them (saved with the preprocessor, so a reader knows which model to re-run). */
  readonly backbone: ImageBackboneInfo;
}

/** Which frozen backbone produced a preprocessor's image embeddings. */
export interface ImageBackboneInfo {
  readonly path: string;
  /** sha256 of the model file. */
  readonly sha256: string;
  readonly inputShape: readonly [number, number, number];
  readonly layout: 'nchw' | 'nhwc';
  readonly dim: number;
}

/** What to fit: which modalities, the tabular schema and the image options. */
export interface PreprocessSpec {
  readonly modalities: readonly Modality[];
  readonly schema: readonly ColumnSpec[];
  readonly image: ImagePreprocessOptions;
  /** Categorical columns as one-hot floats (default) or as indices for learned embeddings. */
  readonly categorical?: CategoricalEncoding;
  /** Options of the text featuriser, when 'text' is a modality. */
  readonly text?: TextPreprocessOptions;
  /** Frozen-backbone embeddings that replace the image preprocessor, when 'image' is a modality. */
  readonly imageEmbeddings?: ImageEmbeddingLookup;
  /** Volume options: when set, the 'image' modality is fitted on `Sample.volume` (for the cnn3d encoder) instead of 2-D images. */
  readonly volume?: VolumePreprocessOptions;
  /**
   * Unlabelled rows (e.g. every target training subject) whose record categories join the tabular vocabulary,
   * so a category only the target uses gets its own column; only their records are read, never labels or images.
   */
  readonly vocabularyRows?: readonly Sample[];
}

/** Serialisable state of a fitted multi-modality preprocessor. */
export interface PreprocessorState {
  readonly type: 'preprocessor';
  readonly version: 1;
  readonly modalities: readonly Modality[];
  readonly image?: ImagePreprocessorState;
  readonly tabular?: TabularPreprocessorState;
  readonly text?: TextPreprocessorState;
  readonly volume?: VolumePreprocessorState;
  /** The frozen backbone whose embeddings stood in for the image (they are not saved: re-run the backbone to apply it). */
  readonly imageBackbone?: ImageBackboneInfo;
  /** `site/subject` keys of the samples it was fitted on (vocabulary rows included), so a leak can be audited after the fact. */
  readonly fittedOn: readonly string[];
}

/** The per-modality preprocessors fitted on one training set, applied together. */
export class FittedPreprocessor {
  /** Bundles fitted per-modality preprocessors; use fitPreprocessor() or fromJSON() to obtain one. */
  constructor(
    readonly modalities: readonly Modality[],
    readonly image: FittedImage | undefined,
    readonly tabular: FittedTabular | undefined,
    readonly fittedOn: readonly string[],
    readonly text?: FittedText,
    /** Precomputed image embeddings used instead of `image`; absent after fromJSON (state keeps only `imageBackbone`). */
    readonly imageEmbeddings?: ImageEmbeddingLookup,
    private readonly imageBackbone: ImageBackboneInfo | undefined = imageEmbeddings?.backbone,
    /** The volume preprocessor that stands in for `image` when the model's image encoder is cnn3d. */
    readonly volume?: FittedVolume,
  ) {}

  /**
   * Turns samples into model-ready arrays. A sample may lack any modality: its features are zeros
   * (the training mean for images, all-missing for a record) and its presence mask is 0.
   */
  transform(samples: readonly Sample[]): FeatureSet {
    const n = samples.length;
    const labels = new Float32Array(n);
    samples.forEach((s, i) => (labels[i] = s.label));
    const masks: Partial<Record<Modality, Uint8Array>> = {};
    let image: FeatureSet['image'];
    if (this.image) {
      const img = this.image;
      const data = new Float32Array(n * img.dim);
      samples.forEach((s, i) => {
        try {
          img.applyInto(s.image, data, i * img.dim);
        } catch (e) {
          throw new Error(`subject ${subjectKey(s)}: ${(e as Error).message}`, { cause: e });
        }
      });
      image = { shape: img.shape, data };
      masks.image = Uint8Array.from(samples, (s) => (s.image ? 1 : 0));
    }
    let volume: FeatureSet['volume'];
    if (this.volume) {
      const vol = this.volume;
      const data = new Float32Array(n * vol.dim);
      samples.forEach((s, i) => {
        try {
          vol.applyInto(s.volume, data, i * vol.dim);
        } catch (e) {
          throw new Error(`subject ${subjectKey(s)}: ${(e as Error).message}`, { cause: e });
        }
      });
      volume = { shape: vol.shape, data };
      masks.image = Uint8Array.from(samples, (s) => (s.volume ? 1 : 0));
    }
    let imageEmbedding: FeatureSet['imageEmbedding'];
    if (this.imageBackbone) {
      const emb = this.imageEmbeddings;
      const bb = this.imageBackbone;
      const data = new Float32Array(n * bb.dim);
      samples.forEach((s, i) => {
        if (!s.image) return;
        const e = emb?.byKey.get(subjectKey(s));
        if (!e) throw new Error(`subject ${subjectKey(s)}: no embedding from the ONNX backbone ${bb.path} (sha256 ${bb.sha256.slice(0, 12)}); extract it first (medtl run does, for its cohort)`);
        data.set(e, i * bb.dim);
      });
      imageEmbedding = { dim: bb.dim, data };
      masks.image = Uint8Array.from(samples, (s) => (s.image ? 1 : 0));
    }
    let tabular: FeatureSet['tabular'];
    let categorical: FeatureSet['categorical'];
    if (this.tabular) {
      const tab = this.tabular;
      const data = new Float32Array(n * tab.dim);
      const cats = tab.embedsCategories ? tab.categoricalColumns : [];
      const idx = new Int32Array(n * cats.length);
      samples.forEach((s, i) => {
        try {
          tab.applyInto(s.tabular, data, i * tab.dim);
          if (cats.length) tab.indicesInto(s.tabular, idx, i * cats.length);
        } catch (e) {
          throw new Error(`subject ${subjectKey(s)}: ${(e as Error).message}`, { cause: e });
        }
      });
      tabular = { dim: tab.dim, data };
      if (tab.embedsCategories) categorical = { columns: cats.map((c) => c.name), cardinalities: tab.cardinalities, data: idx };
      masks.tabular = Uint8Array.from(samples, (s) => (s.tabular ? 1 : 0));
    }
    let text: FeatureSet['text'];
    if (this.text) {
      const txt = this.text;
      const data = new Float32Array(n * txt.dim);
      samples.forEach((s, i) => txt.applyInto(s.text, data, i * txt.dim));
      text = { dim: txt.dim, data };
      masks.text = Uint8Array.from(samples, (s) => (s.text ? 1 : 0));
    }
    return { n, labels, keys: samples.map(subjectKey), sites: samples.map((s) => s.siteId), image, ...(volume && { volume }), ...(imageEmbedding && { imageEmbedding }), tabular, categorical, text, masks };
  }

  /** The JSON-serialisable state, saved beside the model so serving reapplies it exactly. */
  toJSON(): PreprocessorState {
    return {
      type: 'preprocessor',
      version: 1,
      modalities: this.modalities,
      image: this.image?.toJSON(),
      tabular: this.tabular?.toJSON(),
      ...(this.text ? { text: this.text.toJSON() } : {}),
      ...(this.volume ? { volume: this.volume.toJSON() } : {}),
      ...(this.imageBackbone ? { imageBackbone: this.imageBackbone } : {}),
      fittedOn: this.fittedOn,
    };
  }

  /** Restores a fitted preprocessor from its saved state. */
  static fromJSON(state: PreprocessorState): FittedPreprocessor {
    if (state.type !== 'preprocessor' || state.version !== 1) throw new Error(`not a preprocessor state (type=${state.type}, version=${state.version})`);
    return new FittedPreprocessor(
      state.modalities,
      state.image ? FittedImage.fromJSON(state.image) : undefined,
      state.tabular ? FittedTabular.fromJSON(state.tabular) : undefined,
      state.fittedOn,
      state.text ? FittedText.fromJSON(state.text) : undefined,
      undefined,
      state.imageBackbone,
      state.volume ? FittedVolume.fromJSON(state.volume) : undefined,
    );
  }
}

/** Fits every requested modality's preprocessor on the training samples only. */
export function fitPreprocessor(train: readonly Sample[], spec: PreprocessSpec): FittedPreprocessor {
  const pixels = spec.modalities.includes('image') && !spec.imageEmbeddings;
  const image = pixels && !spec.volume ? fitImage(train, spec.image) : undefined;
  const volume = pixels && spec.volume ? fitVolume(train, spec.volume) : undefined;
  const vocabularyRows = spec.vocabularyRows ?? [];
  const tabular = spec.modalities.includes('tabular') ? fitTabular(train, spec.schema, spec.categorical ?? 'onehot', vocabularyRows) : undefined;
  const text = spec.modalities.includes('text') ? fitText(train, spec.text) : undefined;
  const embeddings = spec.modalities.includes('image') ? spec.imageEmbeddings : undefined;
  const fittedOn = [...train, ...(tabular ? vocabularyRows : [])].map(subjectKey);
  return new FittedPreprocessor([...spec.modalities], image, tabular, fittedOn, text, embeddings, embeddings?.backbone, volume);
}
