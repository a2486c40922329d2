import * as os from 'node:os';
import * as ort from 'onnxruntime-node';

/** How to open an ONNX model for CPU inference. */
export interface OnnxSessionOptions {
  /** Intra-op threads; defaults to one per core (os.availableParallelism()). */
  readonly threads?: number;
  /** Graph optimisation level; 'all' fuses conv+batch-norm+relu and picks NCHWc layouts, the fastest on CPU. */
  readonly optimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** An open ONNX model with one float input and one float output (e.g. a frozen feature extractor). */
export interface OnnxModel {
  readonly path: string;
  readonly inputName: string;
  readonly outputName: string;
  readonly threads: number;
  readonly session: ort.InferenceSession;
}

/** Opens an ONNX file for CPU inference with session options chosen for throughput on a few cores. */
export async function openOnnxModel(path: string, opts: OnnxSessionOptions = {}): Promise<OnnxModel> {
  const threads = opts.threads ?? os.availableParallelism();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: opts.optimization ?? 'all',
      intraOpNumThreads: threads,
      // One graph branch at a time: a CNN backbone is a chain, and a second pool would only compete for the cores.
      executionMode: 'sequential',
      interOpNumThreads: 1,
      enableCpuMemArena: true,
    });
  } catch (e) {
    throw new Error(`cannot open ONNX model ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (session.inputNames.length !== 1 || session.outputNames.length < 1) {
    throw new Error(`ONNX model ${path}: expected one input and at least one output, got inputs [${session.inputNames.join(', ')}]`);
  }
  return { path, inputName: session.inputNames[0], outputName: session.outputNames[0], threads, session };
}

/** Runs one batch (row-major float32 `data` of shape `dims`) and returns the first output's values and shape. */
export async function runOnnxBatch(model: OnnxModel, data: Float32Array, dims: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const input = new ort.Tensor('float32', data, dims);
  const out = await model.session.run({ [model.inputName]: input });
  const t = out[model.outputName];
  if (t.type !== 'float32') throw new Error(`ONNX model ${model.path}: output '${model.outputName}' is ${t.type}, expected float32`);
  const values = t.data as Float32Array;
  input.dispose();
  return { data: values, dims: t.dims };
}

/** A streamFeatures extractor running an open ONNX model on batches of items shaped `itemDims` (e.g. [3, 224, 224]). */
export function onnxExtractor(model: OnnxModel, itemDims: readonly number[], outputDim: number): { inputSize: number; outputDim: number; run(batch: Float32Array, n: number): Promise<Float32Array> } {
  const inputSize = itemDims.reduce((a, b) => a * b, 1);
  return {
    inputSize,
    outputDim,
    // onnxruntime reads the input during run(), so a view of the caller's buffer is enough; the output is copied.
    run: async (batch, n) => Float32Array.from((await runOnnxBatch(model, batch.subarray(0, n * inputSize), [n, ...itemDims])).data),
  };
}
