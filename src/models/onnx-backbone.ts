import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as ort from 'onnxruntime-node';
import type { FeatureSet, FloatBlock } from '../preprocess/features.js';
import { sha256 } from '../util/fs.js';
import { imageHash, type EmbeddingCache } from './embedding-cache.js';

/** How to open a frozen image backbone. */
export interface OnnxBackboneOptions {
  /** [height, width, channels] the model takes (images passed in must already have this size). */
  readonly inputShape: readonly [number, number, number];
  /** Tensor layout of the model input: nchw (PyTorch exports) or nhwc (TensorFlow exports). Default nchw. */
  readonly layout?: 'nchw' | 'nhwc';
  /** Intra-op threads; one per core when absent. */
  readonly threads?: number;
}

/** One image to embed: an id, its pixels (HWC float32 at the backbone's input size, 1 or its channel count) and optionally the source bytes to key the cache by. */
export interface BackboneImage {
  readonly id: string;
  readonly pixels: Float32Array;
  /** Bytes the cache key hashes (e.g. the image file); the pixels' own bytes when absent. */
  readonly bytes?: Uint8Array;
}

/** One image's embedding, and whether it came from the cache. */
export interface BackboneFeature {
  readonly id: string;
  readonly embedding: Float32Array;
  readonly cached: boolean;
}

/** A frozen pretrained image model, loaded from an ONNX file, that maps images to embedding vectors. */
export class OnnxBackbone {
  private constructor(
    readonly path: string,
    /** sha256 of the model file, half of every cache key. */
    readonly modelHash: string,
    private readonly session: ort.InferenceSession,
    readonly options: OnnxBackboneOptions,
  ) {}

  /** Opens an ONNX model file for CPU inference. */
  static async load(path: string, options: OnnxBackboneOptions): Promise<OnnxBackbone> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new Error(`cannot read ONNX model ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
    }
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: options.threads ?? os.availableParallelism(),
        interOpNumThreads: 1,
        executionMode: 'sequential',
      });
    } catch (e) {
      throw new Error(`cannot open ONNX model ${path}: ${(e as Error).message}`, { cause: e });
    }
    if (session.inputNames.length !== 1) throw new Error(`ONNX model ${path}: a backbone takes one input, this one takes [${session.inputNames.join(', ')}]`);
    return new OnnxBackbone(path, sha256(bytes), session, options);
  }

  /** Floats per image at the input size. */
  get pixelsPerImage(): number {
    const [h, w, c] = this.options.inputShape;
    return h * w * c;
  }

  /**
   * Embeds `n` images packed HWC in `pixels` (single-channel images are repeated across the model's
   * channels) and returns a row-major [n, dim] block; outputs with spatial axes are flattened.
   */
  async embed(pixels: Float32Array, n: number, scratch?: Float32Array): Promise<FloatBlock> {
    const [h, w, c] = this.options.inputShape;
    const per = h * w;
    const srcChannels = pixels.length / (n * per);
    if (srcChannels !== c && srcChannels !== 1) throw new Error(`ONNX model ${this.path}: images have ${srcChannels} channels per pixel, the model takes ${c} (or 1, repeated)`);
    const buf = scratch && scratch.length >= n * per * c ? scratch.subarray(0, n * per * c) : new Float32Array(n * per * c);
    const nchw = (this.options.layout ?? 'nchw') === 'nchw';
    for (let i = 0; i < n; i++) {
      const src = i * per * srcChannels;
      const dst = i * per * c;
      for (let p = 0; p < per; p++) {
        for (let ch = 0; ch < c; ch++) {
          const v = pixels[src + p * srcChannels + (srcChannels === 1 ? 0 : ch)];
          buf[nchw ? dst + ch * per + p : dst + p * c + ch] = v;
        }
      }
    }
    const dims = nchw ? [n, c, h, w] : [n, h, w, c];
    const input = new ort.Tensor('float32', buf, dims);
    const name = this.session.inputNames[0];
    const out = await this.session.run({ [name]: input });
    const t = out[this.session.outputNames[0]];
    if (t.type !== 'float32') throw new Error(`ONNX model ${this.path}: output '${this.session.outputNames[0]}' is ${t.type}, expected float32`);
    const data = new Float32Array(t.data as Float32Array);
    for (const v of Object.values(out)) v.dispose();
    input.dispose();
    return { dim: data.length / n, data };
  }

  /** Releases the inference session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** Options for batched feature extraction. */
export interface ExtractOptions {
  /** Images per inference call (default 32). */
  readonly batchSize?: number;
  /** Embeddings already computed for the same image bytes and model file are read from here, new ones written. */
  readonly cache?: EmbeddingCache;
}

/**
 * Embeds a stream of images with a frozen backbone, in input order. Memory stays bounded by one batch:
 * at most `batchSize` images are held, the input buffer is reused, and each batch's embeddings are
 * yielded before the next batch is read. Cache hits skip inference.
 */
export async function* extractFeatures(
  backbone: OnnxBackbone,
  images: AsyncIterable<BackboneImage> | Iterable<BackboneImage>,
  opts: ExtractOptions = {},
): AsyncGenerator<BackboneFeature> {
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const per = backbone.pixelsPerImage;
  const scratch = new Float32Array(batchSize * per);
  let batch: BackboneImage[] = [];
  const flush = async function* (): AsyncGenerator<BackboneFeature> {
    const hashes = batch.map((im) => imageHash(im.bytes ?? im.pixels));
    const found = opts.cache ? await Promise.all(hashes.map((h) => opts.cache!.get(h, backbone.modelHash))) : batch.map(() => undefined);
    const missing = batch.map((_, i) => i).filter((i) => !found[i]);
    if (missing.length) {
      const channels = batch[missing[0]].pixels.length / (per / backbone.options.inputShape[2]);
      const packed = new Float32Array(missing.length * (per / backbone.options.inputShape[2]) * channels);
      missing.forEach((i, j) => {
        const px = batch[i].pixels;
        if (px.length !== packed.length / missing.length) throw new Error(`image '${batch[i].id}': ${px.length} values, expected ${packed.length / missing.length} (${backbone.options.inputShape.join('x')})`);
        packed.set(px, j * px.length);
      });
      const emb = await backbone.embed(packed, missing.length, scratch);
      for (const [j, i] of missing.entries()) {
        const e = emb.data.slice(j * emb.dim, (j + 1) * emb.dim);
        found[i] = e;
        if (opts.cache) await opts.cache.set(hashes[i], backbone.modelHash, e);
      }
    }
    const missed = new Set(missing);
    for (const [i, im] of batch.entries()) yield { id: im.id, embedding: found[i]!, cached: !missed.has(i) };
    batch = [];
  };
  for await (const im of images) {
    batch.push(im);
    if (batch.length === batchSize) yield* flush();
  }
  if (batch.length) yield* flush();
}

/** Collects extracted features into a row-major block (ids in order), e.g. to set FeatureSet.imageEmbedding. */
export async function collectFeatures(features: AsyncIterable<BackboneFeature>): Promise<{ ids: string[]; block: FloatBlock }> {
  const ids: string[] = [];
  const rows: Float32Array[] = [];
  for await (const f of features) {
    ids.push(f.id);
    rows.push(f.embedding);
  }
  const dim = rows[0]?.length ?? 0;
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`image '${ids[i]}': embedding has ${r.length} values, others have ${dim}`);
    data.set(r, i * dim);
  });
  return { ids, block: { dim, data } };
}

/** A feature set whose image modality is the given embeddings (rows in the feature set's order), for a model with imageEncoder 'embedding'. */
export function withImageEmbeddings(fs: FeatureSet, block: FloatBlock): FeatureSet {
  if (block.data.length !== fs.n * block.dim) throw new Error(`image embeddings have ${block.data.length / Math.max(block.dim, 1)} rows, the feature set has ${fs.n}`);
  return { ...fs, image: undefined, imageEmbedding: block };
}
