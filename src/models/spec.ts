import type { Modality } from '../data/types.js';

/** Layer groups a training phase can freeze or train. */
export type LayerGroup = 'image' | 'tabular' | 'text' | 'head';

/** Every layer group, for phases that train the whole model. */
export const ALL_LAYER_GROUPS: readonly LayerGroup[] = ['image', 'tabular', 'text', 'head'];

/** Where modalities meet: raw features (early), per-modality embeddings (intermediate) or per-modality predictions (late). */
export type FusionType = 'early' | 'intermediate' | 'late';

/** How intermediate fusion joins embeddings: plain concatenation, or concatenation after per-modality sigmoid gates. */
export type FusionJoin = 'concat' | 'gated';

/** How late fusion combines per-modality logits: softmax-normalised learned weights, or a logistic regression fitted on validation data. */
export type LateCombine = 'weights' | 'stacking';

/** The image encoder: a trainable 2-D or 3-D CNN, or a projection of precomputed (e.g. frozen ONNX backbone) embeddings. */
export type ImageEncoder = 'cnn2d' | 'cnn3d' | 'embedding';

/** Architecture of a fusion model: per-modality encoders and how they are joined. */
export interface ModelSpec {
  /** Modalities the model takes, in input order (image, tabular, text). */
  readonly modalities: readonly Modality[];
  /** [height, width, channels] of the preprocessed image, when 'image' is a modality and the encoder is cnn2d. */
  readonly imageShape?: readonly [number, number, number];
  /** Length of the preprocessed tabular vector (numeric part only when categorical embeddings are used). */
  readonly tabularDim?: number;
  /** Conv filters per stage of the image CNN (3x3 conv + ReLU + 2x2 max-pool each). */
  readonly imageFilters: readonly number[];
  /** How the last feature map becomes a vector: keep positions (flatten) or pool over them. */
  readonly imagePooling: 'flatten' | 'avg' | 'max';
  /** Width of the image embedding. */
  readonly imageEmbed: number;
  /** Hidden widths of the tabular MLP. */
  readonly tabularHidden: readonly number[];
  /** Hidden width of the fusion head. */
  readonly headHidden: number;
  /** Fusion type; intermediate when absent. */
  readonly fusion?: FusionType;
  /** Join of intermediate fusion; concat when absent. */
  readonly join?: FusionJoin;
  /** Combination of late fusion; weights when absent. */
  readonly lateCombine?: LateCombine;
  /** Probability, per sample and modality, of hiding a modality during training (modality dropout); 0 when absent. */
  readonly modalityDropout?: number;
  /** Feed per-modality presence masks to the model so absent modalities are zeroed and flagged; on when modalityDropout > 0. */
  readonly masking?: boolean;
  /** Image encoder; cnn2d when absent. */
  readonly imageEncoder?: ImageEncoder;
  /** [depth, height, width, channels] of the preprocessed volume, for the cnn3d encoder. */
  readonly volumeShape?: readonly [number, number, number, number];
  /** Length of a precomputed image embedding, for the embedding encoder. */
  readonly imageEmbeddingDim?: number;
  /** Categories per categorical column (index 0 = missing or unseen) when categorical columns are embedded instead of one-hot. */
  readonly categoricalCardinalities?: readonly number[];
  /** Width of each categorical embedding; min(8, ceil(cardinality / 2)) per column when absent. */
  readonly categoricalEmbedDim?: number;
  /** Length of the text feature vector, when 'text' is a modality. */
  readonly textDim?: number;
  /** Hidden widths of the text MLP; [32] when absent. */
  readonly textHidden?: readonly number[];
  /** Side of the average-pooled image grid that early fusion flattens; 4 when absent. */
  readonly earlyImageGrid?: number;
}

/** The default small architecture used by the demo. */
export const DEFAULT_MODEL_SPEC: Omit<ModelSpec, 'modalities' | 'imageShape' | 'tabularDim'> = {
  imageFilters: [8, 16, 32],
  imagePooling: 'flatten',
  imageEmbed: 32,
  tabularHidden: [32, 16],
  headHidden: 16,
};

/** The group a layer belongs to, from its name prefix. */
export function layerGroup(layerName: string): LayerGroup {
  if (layerName.startsWith('img_')) return 'image';
  if (layerName.startsWith('tab_')) return 'tabular';
  if (layerName.startsWith('txt_')) return 'text';
  return 'head';
}

/** Whether the model takes a presence-mask input. */
export function usesMasks(spec: ModelSpec): boolean {
  return spec.masking ?? (spec.modalityDropout ?? 0) > 0;
}
