import type { BatchExtractor, FillItem } from './feature-stream.js';
import { closeOnnxModel, onnxOutputSize, openOnnxModel, runOnnxBatch, type OnnxModel, type OnnxSessionOptions } from './onnx-session.js';
import type { FeatureSet, FloatBlock } from '../preprocess/features.js';

/** How to open a frozen image backbone (session options as for openOnnxModel). */
export interface OnnxBackboneOptions extends OnnxSessionOptions {
  /** [height, width, channels] the model takes (images passed in must already have this size). */
  readonly inputShape: readonly [number, number, number];
  /** Tensor layout of the model input: nchw (PyTorch exports) or nhwc (TensorFlow exports). Default nchw. */
  readonly layout?: 'nchw' | 'nhwc';
}

/** One image to embed: an id, its pixels (HWC float32 at the backbone's input size, 1 or its channel count) and optionally the source bytes to key the cache by. */
export interface BackboneImage {
  readonly id: string;
  readonly pixels: Float32Array;
  /** Bytes the cache key hashes (e.g. the image file); the pixels' own bytes when absent. */
  readonly bytes?: Uint8Array;
}

/** A frozen pretrained image model, loaded from an ONNX file, that maps images to embedding vectors. */
export class OnnxBackbone {
  private constructor(
    private readonly model: OnnxModel,
    readonly options: OnnxBackboneOptions,
    /** Floats per embedding. */
    readonly dim: number,
  ) {}

  /** Opens an ONNX model file for CPU inference (through openOnnxModel) and learns its embedding size. */
  static async load(path: string, options: OnnxBackboneOptions): Promise<OnnxBackbone> {
    const model = await openOnnxModel(path, options);
    const known = onnxOutputSize(model);
    if (known !== undefined) return new OnnxBackbone(model, options, known);
    // The output's feature axes are symbolic in the file: one blank image tells their size.
    const probe = new OnnxBackbone(model, options, 0);
    return new OnnxBackbone(model, options, (await probe.embed(new Float32Array(probe.pixelsPerImage), 1)).dim);
  }

  /** The model file. */
  get path(): string {
    return this.model.path;
  }

  /** sha256 of the model file, half of every cache key. */
  get modelHash(): string {
    return this.model.sha256;
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
    const out = await runOnnxBatch(this.model, buf, nchw ? [n, c, h, w] : [n, h, w, c]);
    return { dim: out.data.length / n, data: out.data };
  }

  /** This backbone as a BatchExtractor for extractFeatures/streamFeatures: HWC images in, embeddings out, keyed by the model file. */
  extractor(): BatchExtractor {
    const inputSize = this.pixelsPerImage;
    // Reused layout buffer: onnxruntime reads the input only during run().
    let scratch: Float32Array | undefined;
    return {
      inputSize,
      outputDim: this.dim,
      modelHash: this.modelHash,
      run: async (batch, n) => {
        scratch ??= new Float32Array(batch.length);
        return (await this.embed(batch.subarray(0, n * inputSize), n, scratch)).data;
      },
    };
  }

  /** Fills extractor input from a BackboneImage: its HWC pixels, a single channel repeated across the model's channels. */
  fillImage(): FillItem<BackboneImage> {
    const [h, w, c] = this.options.inputShape;
    return (im, out, offset) => {
      if (im.pixels.length === h * w * c) out.set(im.pixels, offset);
      else if (im.pixels.length === h * w) for (let p = 0; p < h * w; p++) out.fill(im.pixels[p], offset + p * c, offset + (p + 1) * c);
      else throw new Error(`image '${im.id}': ${im.pixels.length} values, expected ${h * w * c} or ${h * w} (${h}x${w}x${c} or ${h}x${w}x1)`);
    };
  }

  /** Releases the inference session. */
  async dispose(): Promise<void> {
    await closeOnnxModel(this.model);
  }
}

/** The cache key of a BackboneImage for extractFeatures: its source bytes when given, else its pixels. */
export function backboneImageKey(im: BackboneImage): Uint8Array | Float32Array {
  return im.bytes ?? im.pixels;
}

/** A feature set whose image modality is the given embeddings (rows in the feature set's order), for a model with imageEncoder 'embedding'. */
export function withImageEmbeddings(fs: FeatureSet, block: FloatBlock): FeatureSet {
  if (block.data.length !== fs.n * block.dim) throw new Error(`image embeddings have ${block.data.length / Math.max(block.dim, 1)} rows, the feature set has ${fs.n}`);
  return { ...fs, image: undefined, imageEmbedding: block };
}
