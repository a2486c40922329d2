// Source pretrainings on worker threads, an opt-in (MEDTL_PRETRAIN_WORKERS=N). An experiment often
// pretrains several models on the same sources (one per modality set: fusion, image only, tabular
// only), each independent of the others. On a pool of workers each runs its own TF.js and native
// kernels on one thread while the main thread goes on with the methods. Each worker carries a whole
// TF.js runtime (the demo peaked at 452 MB with two against 325-333 MB without, 7 Dec 2026), and
// one two-thread runtime held up better than three single-threaded ones with other processes on
// the cores, so by default the pretrainings run in the main thread, on demand, with every kernel
// thread (docs/pipeline.md, "Source pretraining"; figures in docs/benchmarks.md).
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { openKernelThreads, type BackendName } from '../compute/index.js';
import { buildFusionModel } from '../models/fusion.js';
import type { ModelSpec } from '../models/spec.js';
import { FittedPreprocessor, type PreprocessorState } from '../preprocess/preprocessor.js';
import type { PhaseHistory } from '../train/loop.js';
import type { TrainedModel, TransferContext } from '../transfer/types.js';
import { unlabelledTargetSamples } from '../transfer/target-data.js';

/** Environment variable that opts in to N pretraining workers (unset or `0`: pretrain on demand in the main thread). */
export const PRETRAIN_WORKERS_ENV = 'MEDTL_PRETRAIN_WORKERS';

/** A pretraining context as plain data: no progress reporter, no nested pretraining, no embedding lookup. */
export type PretrainInput = Omit<TransferContext, 'progress' | 'pretrained' | 'imageEmbeddings'>;

/** One pretraining for a worker. */
export interface PretrainJob {
  readonly key: string;
  readonly ctx: PretrainInput;
}

/** A worker's answer: the trained weights and what rebuilds the model around them, or the error. */
export type PretrainReply =
  | {
      readonly ok: true;
      readonly key: string;
      readonly spec: ModelSpec;
      readonly preprocessor: PreprocessorState;
      readonly history: readonly PhaseHistory[];
      readonly weights: readonly { readonly shape: number[]; readonly values: Float32Array }[];
      readonly seconds: number;
    }
  | { readonly ok: false; readonly key: string; readonly message: string; readonly stack: string };

/**
 * While workers pretrain, every training in the main thread also runs its native kernels on one
 * thread: the cores belong to the pool, and a run's numbers must not depend on when the pool
 * finishes. Returns the function that restores the previous count.
 */
export function singleThreadKernels(): () => void {
  // A kernel-thread scope: experiments that overlap in one process restore the count only when the last ends.
  return openKernelThreads(1);
}

/** A context's plain-data part, for a worker (data trimmed to the source partitions pretraining reads). */
export function pretrainInput(ctx: TransferContext): PretrainInput {
  const { progress: _p, pretrained: _q, imageEmbeddings: _e, ...input } = ctx;
  // Pretraining reads the target's records (not labels, images or text) only for the record vocabulary.
  const targetRecords = unlabelledTargetSamples(ctx).map((s) => ({ subjectId: s.subjectId, siteId: s.siteId, label: 0 as const, ...(s.tabular && { tabular: s.tabular }) }));
  return { ...input, data: { ...ctx.data, targetTrain: [], targetVal: [], targetUnlabelled: targetRecords } };
}

/** The key a pretraining is shared under: its modalities, sorted. */
export function pretrainKey(modalities: readonly string[]): string {
  return [...modalities].sort().join('+');
}

/**
 * How many workers pretrain ahead: none unless MEDTL_PRETRAIN_WORKERS asks for some, at least two
 * pretrainings are due and the compute has two or more threads; never more than any of the three.
 * The caller also requires the native kernels.
 */
export function pretrainWorkerCount(pretrainings: number, threads: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[PRETRAIN_WORKERS_ENV]?.trim();
  let cap = 0;
  if (raw !== undefined && raw !== '') {
    cap = Number(raw);
    if (!Number.isInteger(cap) || cap < 0) throw new RangeError(`${PRETRAIN_WORKERS_ENV} must be a non-negative integer, got '${raw}'`);
  }
  if (pretrainings < 2 || threads < 2) return 0;
  return Math.min(pretrainings, threads, cap);
}

interface Pending {
  readonly job: PretrainJob;
  readonly resolve: (m: TrainedModel) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  current: Pending | undefined;
}

/** Runs pretraining jobs on up to `size` worker threads, in submission order; each worker exits when the queue is empty. */
export class PretrainPool {
  private readonly queue: Pending[] = [];
  private readonly slots = new Set<Slot>();

  /** A pool of at most `size` workers on `backend`; `log` gets one line as each pretraining starts and ends. */
  constructor(
    private readonly size: number,
    private readonly backend: BackendName,
    private readonly log: (message: string) => void,
  ) {
    if (!(Number.isInteger(size) && size >= 1)) throw new RangeError(`pretraining pool size must be a positive integer, got ${size}`);
  }

  /** Queues a pretraining; resolves with the trained model rebuilt in this thread. */
  run(job: PretrainJob): Promise<TrainedModel> {
    return new Promise<TrainedModel>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker; queued and running pretrainings are rejected. */
  async close(): Promise<void> {
    const closing = new Error('the pretraining pool was closed');
    for (const p of this.queue.splice(0)) p.reject(closing);
    const slots = [...this.slots];
    this.slots.clear();
    for (const s of slots) s.current?.reject(closing);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    for (const slot of this.slots) if (slot.current === undefined) this.next(slot);
    while (this.queue.length > 0 && this.slots.size < this.size) this.next(this.spawn());
  }

  private next(slot: Slot): void {
    const p = this.queue.shift();
    if (p === undefined) {
      this.slots.delete(slot);
      void slot.worker.terminate();
      return;
    }
    slot.current = p;
    this.log(`pretrain [${p.job.key}]: on a worker thread`);
    slot.worker.postMessage(p.job);
  }

  private spawn(): Slot {
    // Source runs (tsx) load the TypeScript worker; the built package loads the compiled one.
    const ts = import.meta.url.endsWith('.ts');
    const entry = new URL(`./pretrain-worker${ts ? '.ts' : '.js'}`, import.meta.url);
    // tsx's loader hooks do not reach worker threads, so a source run registers them in the worker first.
    const worker = ts
      ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`, { eval: true, workerData: { backend: this.backend } })
      : new Worker(entry, { workerData: { backend: this.backend } });
    const slot: Slot = { worker, current: undefined };
    worker.on('message', (reply: PretrainReply) => {
      const p = slot.current;
      slot.current = undefined;
      if (p !== undefined) {
        if (reply.ok) {
          this.log(`pretrain [${reply.key}]: done on a worker thread in ${reply.seconds.toFixed(1)} s`);
          p.resolve(rebuild(reply, p.job.ctx.seed));
        } else {
          const e = new Error(`pretraining [${reply.key}] on a worker thread failed: ${reply.message}`);
          e.stack = reply.stack;
          p.reject(e);
        }
      }
      if (this.slots.has(slot)) this.next(slot);
    });
    worker.on('error', (err) => {
      this.slots.delete(slot);
      slot.current?.reject(new Error(`a pretraining worker thread stopped: ${err.message}`, { cause: err }));
      slot.current = undefined;
      this.dispatch();
    });
    worker.on('exit', (code) => {
      if (!this.slots.has(slot)) return;
      this.slots.delete(slot);
      slot.current?.reject(new Error(`a pretraining worker thread exited with code ${code}`));
      slot.current = undefined;
      this.dispatch();
    });
    this.slots.add(slot);
    return slot;
  }
}

/** The worker's model, rebuilt here from its spec, seed and trained weights. */
function rebuild(reply: Extract<PretrainReply, { ok: true }>, seed: number): TrainedModel {
  const model = buildFusionModel(reply.spec, seed);
  const tensors = reply.weights.map((w) => tf.tensor(w.values, w.shape, 'float32'));
  model.net.setWeights(tensors);
  tf.dispose(tensors);
  return { model, preprocessor: FittedPreprocessor.fromJSON(reply.preprocessor), history: reply.history };
}
