import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as ort from 'onnxruntime-node';
import { sha256 } from '../util/fs.js';

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
  /** sha256 of the model file: identifies the weights, e.g. as half of every embedding-cache key. */
  readonly sha256: string;
  readonly inputName: string;
  readonly outputName: string;
  readonly threads: number;
  readonly optimization: NonNullable<OnnxSessionOptions['optimization']>;
  readonly session: ort.InferenceSession;
}

/** Opens an ONNX file for CPU inference with session options chosen for throughput on a few cores; the one place medtl creates onnxruntime sessions. */
export async function openOnnxModel(path: string, opts: OnnxSessionOptions = {}): Promise<OnnxModel> {
  const threads = opts.threads ?? os.availableParallelism();
  const optimization = opts.optimization ?? 'all';
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
      graphOptimizationLevel: optimization,
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
    await session.release();
    throw new Error(`ONNX model ${path}: expected one input and at least one output, got inputs [${session.inputNames.join(', ')}]`);
  }
  return { path, sha256: sha256(bytes), inputName: session.inputNames[0], outputName: session.outputNames[0], threads, optimization, session };
}

/** Runs one batch (row-major float32 `data` of shape `dims`) and returns a copy of the first output's values and its shape. */
export async function runOnnxBatch(model: OnnxModel, data: Float32Array, dims: readonly number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const input = new ort.Tensor('float32', data, dims);
  const out = await model.session.run({ [model.inputName]: input });
  const t = out[model.outputName];
  try {
    if (t.type !== 'float32') throw new Error(`ONNX model ${model.path}: output '${model.outputName}' is ${t.type}, expected float32`);
    return { data: Float32Array.from(t.data as Float32Array), dims: t.dims };
  } finally {
    for (const v of Object.values(out)) v.dispose();
    input.dispose();
  }
}

/** Floats per item of the first output when its non-batch axes are fixed in the model file, else undefined. */
export function onnxOutputSize(model: OnnxModel): number | undefined {
  const meta = model.session.outputMetadata[0];
  if (!meta?.isTensor || meta.shape.length < 1) return undefined;
  const rest = meta.shape.slice(1);
  return rest.every((d): d is number => typeof d === 'number' && d > 0) ? rest.reduce((a, b) => a * b, 1) : undefined;
}

/** Releases an open model's session. */
export async function closeOnnxModel(model: OnnxModel): Promise<void> {
  await model.session.release();
}
