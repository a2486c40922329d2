import * as tfl from '@tensorflow/tfjs-layers';
import type { Modality } from '../data/types.js';
import type { ModelSpec } from './spec.js';

type Sym = tfl.SymbolicTensor;
/** Draws the next initializer seed, so weights are reproducible under the model seed. */
type Seeds = () => number;

/** One model input: its layer name and the per-row shape it takes. */
export interface InputSlot {
  readonly name: string;
  readonly shape: readonly number[];
  /** Which feature-set block feeds it. */
  readonly source: 'image' | 'volume' | 'imageEmbedding' | 'tabular' | 'categorical' | 'text' | 'mask';
  /** Column of the categorical block, for categorical inputs. */
  readonly column?: number;
}

/** An encoder's model inputs, its trainable embedding and its raw (pre-encoder) features for early fusion. */
export interface EncoderOutput {
  readonly inputs: Sym[];
  /** Encoder output: the modality embedding. Absent when built for early fusion. */
  readonly embedding?: Sym;
  /** Features before the encoder proper (pooled image, tabular with categorical embeddings, text), for early fusion. */
  readonly raw?: Sym;
  /** Width of `embedding` or `raw`. */
  readonly width: number;
}

/** The modalities of a spec in canonical input order (image, tabular, text). */
export function orderedModalities(spec: ModelSpec): Modality[] {
  return (['image', 'tabular', 'text'] as const).filter((m) => spec.modalities.includes(m));
}

/** Width of each categorical embedding. */
export function categoricalEmbedWidth(spec: ModelSpec, cardinality: number): number {
  return spec.categoricalEmbedDim ?? Math.min(8, Math.ceil(cardinality / 2));
}

/** The model's inputs, in the order the net takes them. */
export function inputSlots(spec: ModelSpec, masked: boolean): InputSlot[] {
  const slots: InputSlot[] = [];
  const mods = orderedModalities(spec);
  for (const m of mods) {
    if (m === 'image') {
      const enc = spec.imageEncoder ?? 'cnn2d';
      if (enc === 'cnn2d') {
        if (!spec.imageShape) throw new Error('model spec has the image modality but no imageShape');
        slots.push({ name: 'img_input', shape: spec.imageShape, source: 'image' });
      } else if (enc === 'cnn3d') {
        if (!spec.volumeShape) throw new Error("model spec has imageEncoder 'cnn3d' but no volumeShape");
        slots.push({ name: 'img_input', shape: spec.volumeShape, source: 'volume' });
      } else {
        if (!spec.imageEmbeddingDim) throw new Error("model spec has imageEncoder 'embedding' but no imageEmbeddingDim");
        slots.push({ name: 'img_input', shape: [spec.imageEmbeddingDim], source: 'imageEmbedding' });
      }
    } else if (m === 'tabular') {
      const cards = spec.categoricalCardinalities ?? [];
      if (!spec.tabularDim && cards.length === 0) throw new Error('model spec has the tabular modality but no tabularDim');
      if (spec.tabularDim) slots.push({ name: 'tab_input', shape: [spec.tabularDim], source: 'tabular' });
      cards.forEach((_, i) => slots.push({ name: `tab_cat${i + 1}_input`, shape: [1], source: 'categorical', column: i }));
    } else if (m === 'text') {
      if (!spec.textDim) throw new Error('model spec has the text modality but no textDim');
      slots.push({ name: 'txt_input', shape: [spec.textDim], source: 'text' });
    }
  }
  if (masked) slots.push({ name: 'mask_input', shape: [mods.length], source: 'mask' });
  return slots;
}

function dense(units: number, name: string, seeds: Seeds, activation: 'relu' | 'linear' = 'relu'): tfl.layers.Layer {
  return tfl.layers.dense({ units, activation, kernelInitializer: tfl.initializers.heNormal({ seed: seeds() }), name });
}

/** The image encoder: 2-D or 3-D CNN (conv + ReLU + 2x max-pool per stage), or a projection of precomputed embeddings. */
export function imageEncoder(spec: ModelSpec, input: Sym, seeds: Seeds, early: boolean): EncoderOutput {
  const enc = spec.imageEncoder ?? 'cnn2d';
  if (enc === 'embedding') {
    const dim = spec.imageEmbeddingDim!;
    if (early) return { inputs: [input], raw: input, width: dim };
    const e = dense(spec.imageEmbed, 'img_embed', seeds).apply(input) as Sym;
    return { inputs: [input], embedding: e, width: spec.imageEmbed };
  }
  const three = enc === 'cnn3d';
  if (early) {
    // Early fusion sees the image itself, average-pooled to a small grid so it does not swamp the tabular features.
    const grid = spec.earlyImageGrid ?? 4;
    const shape = three ? spec.volumeShape! : spec.imageShape!;
    const spatial = shape.slice(0, -1);
    const pool = spatial.map((s) => Math.max(1, Math.floor(s / grid)));
    const pooled = three
      ? tfl.layers.averagePooling3d({ poolSize: pool as [number, number, number], name: 'img_early_pool' }).apply(input)
      : tfl.layers.averagePooling2d({ poolSize: pool as [number, number], name: 'img_early_pool' }).apply(input);
    const flat = tfl.layers.flatten({ name: 'img_early_flatten' }).apply(pooled) as Sym;
    return { inputs: [input], raw: flat, width: flat.shape[1] as number };
  }
  let x: Sym = input;
  spec.imageFilters.forEach((filters, i) => {
    const conv = three
      ? tfl.layers.conv3d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seeds() }), name: `img_conv${i + 1}` })
      : tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seeds() }), name: `img_conv${i + 1}` });
    x = conv.apply(x) as Sym;
    // A volume's depth may be shallower than its sides; pooling stops halving an axis once it reaches 1.
    const pool = three
      ? tfl.layers.maxPooling3d({ poolSize: (x.shape.slice(1, 4) as number[]).map((s) => (s >= 2 ? 2 : 1)) as [number, number, number], name: `img_pool${i + 1}` })
      : tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `img_pool${i + 1}` });
    x = pool.apply(x) as Sym;
  });
  if (three && spec.imagePooling !== 'flatten') {
    const size = x.shape.slice(1, 4) as [number, number, number];
    const layer = spec.imagePooling === 'max' ? tfl.layers.maxPooling3d({ poolSize: size, name: 'img_gmp' }) : tfl.layers.averagePooling3d({ poolSize: size, name: 'img_gap' });
    x = layer.apply(x) as Sym;
    x = tfl.layers.flatten({ name: 'img_flatten' }).apply(x) as Sym;
  } else {
    const pool =
      spec.imagePooling === 'flatten' || three
        ? tfl.layers.flatten({ name: 'img_flatten' })
        : spec.imagePooling === 'max'
          ? tfl.layers.globalMaxPooling2d({ name: 'img_gmp' })
          : tfl.layers.globalAveragePooling2d({ name: 'img_gap' });
    x = pool.apply(x) as Sym;
  }
  const e = dense(spec.imageEmbed, 'img_embed', seeds).apply(x) as Sym;
  return { inputs: [input], embedding: e, width: spec.imageEmbed };
}

/** The tabular encoder: numeric features plus one learned embedding per categorical column, then an MLP. */
export function tabularEncoder(spec: ModelSpec, inputs: Sym[], seeds: Seeds, early: boolean): EncoderOutput {
  const cards = spec.categoricalCardinalities ?? [];
  const parts: Sym[] = [];
  let k = 0;
  if (spec.tabularDim) parts.push(inputs[k++]);
  cards.forEach((card, i) => {
    const emb = tfl.layers
      .embedding({ inputDim: card, outputDim: categoricalEmbedWidth(spec, card), embeddingsInitializer: tfl.initializers.randomNormal({ stddev: 0.05, seed: seeds() }), name: `tab_cat${i + 1}_embed` })
      .apply(inputs[k++]) as Sym;
    parts.push(tfl.layers.flatten({ name: `tab_cat${i + 1}_flatten` }).apply(emb) as Sym);
  });
  let x = parts.length > 1 ? (tfl.layers.concatenate({ name: 'tab_concat' }).apply(parts) as Sym) : parts[0];
  if (early) return { inputs, raw: x, width: x.shape[1] as number };
  spec.tabularHidden.forEach((units, i) => {
    x = dense(units, `tab_dense${i + 1}`, seeds).apply(x) as Sym;
  });
  return { inputs, embedding: x, width: spec.tabularHidden[spec.tabularHidden.length - 1] };
}

/** The text encoder: an MLP over hashed n-gram features. */
export function textEncoder(spec: ModelSpec, input: Sym, seeds: Seeds, early: boolean): EncoderOutput {
  if (early) return { inputs: [input], raw: input, width: spec.textDim! };
  const hidden = spec.textHidden ?? [32];
  let x = input;
  hidden.forEach((units, i) => {
    x = dense(units, `txt_dense${i + 1}`, seeds).apply(x) as Sym;
  });
  return { inputs: [input], embedding: x, width: hidden[hidden.length - 1] };
}
