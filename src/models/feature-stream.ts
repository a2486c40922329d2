import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { FloatBlock } from '../preprocess/features.js';
import { imageHash, type EmbeddingCache } from './embedding-cache.js';

/** Something that maps a batch of fixed-size float inputs to fixed-size feature vectors (an ONNX backbone, a TF.js encoder). */
export interface BatchExtractor {
  /** Floats per input item (e.g. height * width * channels). */
  readonly inputSize: number;
  /** Floats per output feature vector. */
  readonly outputDim: number;
  /** Identifies the weights (e.g. sha256 of the model file); required to use an embedding cache. */
  readonly modelHash?: string;
  /** Features of the first `n` items of `batch` (row-major [n, inputSize]); must not keep `batch`. */
  run(batch: Float32Array, n: number): Promise<Float32Array> | Float32Array;
}

/** Writes one item's `inputSize` model-input floats into `out` at `offset` (decode + preprocess). */
export type FillItem<T> = (item: T, out: Float32Array, offset: number) => void;

/** Options of extractFeatures and streamFeatures. */
export interface StreamOptions<T = unknown> {
  /** Items per extractor call (default 32); memory held is about two batches of inputs. */
  readonly batchSize?: number;
  /** Features already computed for the same item and model are read from here, new ones written (needs extractor.modelHash). */
  readonly cache?: EmbeddingCache;
  /** Bytes the cache key hashes (e.g. the image file); by default the item's filled model input. */
  readonly cacheKey?: (item: T) => Uint8Array | Float32Array;
  /** Called after each batch with the number of items done. */
  readonly onBatch?: (done: number) => void;
}

/** Features of consecutive items `start .. start + items.length - 1`, in input order. */
export interface FeatureBatch<T> {
  readonly start: number;
  readonly items: readonly T[];
  /** Row-major [items.length, outputDim]. */
  readonly features: Float32Array;
  /** Whether each item's features came from the cache. */
  readonly cached: readonly boolean[];
}

/**
 * Streams items through `fill` and `extractor`, yielding each batch's features in input order. Only two
 * input batches exist at any time: while an asynchronous extractor (e.g. onnxruntime, which runs on its
 * own threads) works on one, the next is filled, so the whole input set is never materialised and at most
 * two batches of items are read ahead of what has been yielded. Cache hits skip inference.
 */
export async function* extractFeatures<T>(
  items: AsyncIterable<T> | Iterable<T>,
  fill: FillItem<T>,
  extractor: BatchExtractor,
  opts: StreamOptions<T> = {},
): AsyncGenerator<FeatureBatch<T>> {
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const { cache } = opts;
  if (cache && !extractor.modelHash) throw new Error(`embedding cache ${cache.dir}: the extractor has no modelHash to key it by`);
  const size = extractor.inputSize;
  const dim = extractor.outputDim;
  const buffers = [new Float32Array(batchSize * size), new Float32Array(batchSize * size)];

  const runBatch = async (buf: Float32Array, batch: T[], start: number): Promise<FeatureBatch<T>> => {
    const n = batch.length;
    const features = new Float32Array(n * dim);
    const hashes = cache ? batch.map((item, i) => imageHash(opts.cacheKey ? opts.cacheKey(item) : buf.subarray(i * size, (i + 1) * size))) : [];
    const found = cache ? await Promise.all(hashes.map((h) => cache.get(h, extractor.modelHash!))) : [];
    const missing: number[] = [];
    for (let i = 0; i < n; i++) {
      const hit = found[i];
      if (!hit) missing.push(i);
      else if (hit.length !== dim) throw new Error(`embedding cache ${cache!.pathFor(hashes[i], extractor.modelHash!)}: ${hit.length} values, the extractor gives ${dim}`);
      else features.set(hit, i * dim);
    }
    if (missing.length) {
      // Misses move to the front of the buffer (j <= i, so nothing is overwritten before it is read).
      missing.forEach((i, j) => {
        if (i !== j) buf.copyWithin(j * size, i * size, (i + 1) * size);
      });
      const out = await extractor.run(buf, missing.length);
      if (out.length !== missing.length * dim) {
        throw new Error(`extractFeatures: extractor returned ${out.length} values for ${missing.length} items, expected ${missing.length * dim}`);
      }
      for (const [j, i] of missing.entries()) {
        const row = out.subarray(j * dim, (j + 1) * dim);
        features.set(row, i * dim);
        if (cache) await cache.set(hashes[i], extractor.modelHash!, row.slice());
      }
    }
    const missed = new Set(missing);
    opts.onBatch?.(start + n);
    return { start, items: batch, features, cached: batch.map((_, i) => !missed.has(i)) };
  };

  let pending: Promise<FeatureBatch<T>> | null = null;
  let which = 0;
  let batch: T[] = [];
  let done = 0;
  // Starts the filled batch once the previous one is finished (its buffer is the one filled next), and
  // returns the previous one's features for the caller to yield while the new batch runs.
  const flush = async (): Promise<FeatureBatch<T> | null> => {
    const previous = pending ? await pending : null;
    pending = runBatch(buffers[which], batch, done);
    // An early rejection must not go unhandled while the caller is still filling.
    pending.catch(() => undefined);
    done += batch.length;
    which = 1 - which;
    batch = [];
    return previous;
  };
  for await (const item of items) {
    fill(item, buffers[which], batch.length * size);
    batch.push(item);
    if (batch.length === batchSize) {
      const previous = await flush();
      if (previous) yield previous;
    }
  }
  if (batch.length > 0) {
    const previous = await flush();
    if (previous) yield previous;
  }
  if (pending) yield await pending;
}

/**
 * Runs extractFeatures over `count` items and writes the features into one preallocated [count, outputDim]
 * array; the source must yield exactly `count` items.
 */
export async function streamFeatures<T>(
  items: AsyncIterable<T> | Iterable<T>,
  count: number,
  fill: FillItem<T>,
  extractor: BatchExtractor,
  opts: StreamOptions<T> = {},
): Promise<Float32Array> {
  const out = new Float32Array(count * extractor.outputDim);
  let seen = 0;
  const counted: FillItem<T> = (item, buf, offset) => {
    if (seen++ >= count) throw new Error(`streamFeatures: the source yielded more than the ${count} items announced`);
    fill(item, buf, offset);
  };
  for await (const b of extractFeatures(items, counted, extractor, opts)) out.set(b.features, b.start * extractor.outputDim);
  if (seen !== count) throw new Error(`streamFeatures: the source yielded ${seen} items, ${count} were announced`);
  return out;
}

/** Collects extracted batches into a row-major block with each item's id in order, e.g. to set FeatureSet.imageEmbedding. */
export async function collectFeatures<T>(batches: AsyncIterable<FeatureBatch<T>>, id: (item: T) => string): Promise<{ ids: string[]; block: FloatBlock }> {
  const ids: string[] = [];
  const parts: Float32Array[] = [];
  let dim = 0;
  for await (const b of batches) {
    ids.push(...b.items.map(id));
    parts.push(b.features);
    if (b.items.length) dim = b.features.length / b.items.length;
  }
  const data = new Float32Array(ids.length * dim);
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.length;
  }
  return { ids, block: { dim, data } };
}

/** A BatchExtractor running a TF.js model (one input of shape [n, ...itemShape], one output [n, dim]) in inference mode. */
export function layersExtractor(model: tfl.LayersModel, itemShape: readonly number[]): BatchExtractor {
  const outShape = model.outputs[0].shape;
  const outputDim = outShape.slice(1).reduce((a: number, b) => a * (b ?? NaN), 1);
  if (!Number.isFinite(outputDim)) throw new Error(`layersExtractor: model output shape [${outShape.join(', ')}] is not fixed`);
  return {
    inputSize: itemShape.reduce((a, b) => a * b, 1),
    outputDim,
    run(batch, n) {
      const features = tf.tidy(() => {
        const x = tf.tensor(batch.subarray(0, n * this.inputSize), [n, ...itemShape]);
        return model.predict(x) as tf.Tensor;
      });
      const values = features.dataSync() as Float32Array;
      features.dispose();
      return values;
    },
  };
}
