import type { Modality } from '../data/types.js';

/** Layer groups a training phase can freeze or train. */
export type LayerGroup = 'image' | 'tabular' | 'head';

/** Architecture of the intermediate-fusion model: per-modality encoders joined by concatenation. */
export interface ModelSpec {
  /** Modalities the model takes, in input order (image first). */
  readonly modalities: readonly Modality[];
  /** [height, width, channels] of the preprocessed image, when 'image' is a modality. */
  readonly imageShape?: readonly [number, number, number];
  /** Length of the preprocessed tabular vector, when 'tabular' is a modality. */
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
  return 'head';
}
