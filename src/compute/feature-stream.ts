import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Something that maps a batch of fixed-size float inputs to fixed-size feature vectors. */
export interface BatchExtractor {
  /** Floats per input item (e.g. height * width * channels). */
  readonly inputSize: number;
  /** Floats per output feature vector. */
  readonly outputDim: number;
  /** Features of the first `n` items of `batch` (row-major [n, inputSize]); must not keep `batch`. */
  run(batch: Float32Array, n: number): Promise<Float32Array> | Float32Array;
}

/** Options of streamFeatures. */
export interface StreamOptions {
  /** Items per extractor call; memory held is about two batches of inputs. */
  readonly batchSize?: number;
  /** Called after each batch with the number of items done. */
  readonly onBatch?: (done: number) => void;
}

/**
 * Streams items through `fill` (decode/preprocess one item into a batch buffer) and `extractor`, writing
 * features into one preallocated [count, outputDim] array. Only two input batches exist at any time:
 * while an asynchronous extractor (e.g. onnxruntime, which runs on its own threads) works on one,
 * the next is filled, so the whole input set is never materialised.
 */
export async function streamFeatures<T>(
  items: AsyncIterable<T> | Iterable<T>,
  count: number,
  fill: (item: T, out: Float32Array, offset: number) => void,
  extractor: BatchExtractor,
  opts: StreamOptions = {},
): Promise<Float32Array> {
  const batchSize = opts.batchSize ?? 256;
  const out = new Float32Array(count * extractor.outputDim);
  const buffers = [new Float32Array(batchSize * extractor.inputSize), new Float32Array(batchSize * extractor.inputSize)];
  let pending: Promise<void> | null = null;
  let which = 0;
  let inBatch = 0;
  let done = 0;
  const flush = async (): Promise<void> => {
    const buf = buffers[which];
    const n = inBatch;
    const start = done;
    done += n;
    which = 1 - which;
    inBatch = 0;
    // The previous batch must finish before its buffer is refilled (it is the one filled next).
    if (pending) await pending;
    pending = Promise.resolve(extractor.run(buf, n)).then((features) => {
      if (features.length !== n * extractor.outputDim) {
        throw new Error(`streamFeatures: extractor returned ${features.length} values for ${n} items, expected ${n * extractor.outputDim}`);
      }
      out.set(features, start * extractor.outputDim);
      opts.onBatch?.(start + n);
    });
  };
  for await (const item of items) {
    if (done + inBatch >= count) throw new Error(`streamFeatures: the source yielded more than the ${count} items announced`);
    fill(item, buffers[which], inBatch * extractor.inputSize);
    inBatch++;
    if (inBatch === batchSize) await flush();
  }
  if (inBatch > 0) await flush();
  if (pending) await pending;
  if (done !== count) throw new Error(`streamFeatures: the source yielded ${done} items, ${count} were announced`);
  return out;
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
