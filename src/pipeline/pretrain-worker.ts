// Worker-thread side of pretrain-workers.ts: runs source pretrainings one after another on its
// own TF.js and native kernels (one thread each) and posts back weights, preprocessor state and
// history as plain data.
import { parentPort, workerData } from 'node:worker_threads';
import { initCompute, type BackendName } from '../compute/index.js';
import { pretrainOnSources } from '../transfer/pretrain.js';
import type { TransferContext } from '../transfer/types.js';
import { silentProgress } from '../util/progress.js';
import type { PretrainJob, PretrainReply } from './pretrain-workers.js';

const port = parentPort;
if (port === null) throw new Error('pretrain-worker.ts runs only as a worker thread');
const { backend } = workerData as { backend: BackendName };
const ready = initCompute({ prefer: backend, threads: 1, log: () => undefined });

port.on('message', (job: PretrainJob) => {
  void run(job).then((reply) => port.postMessage(reply, reply.ok ? reply.weights.map((w) => w.values.buffer as ArrayBuffer) : []));
});

async function run(job: PretrainJob): Promise<PretrainReply> {
  try {
    const compute = await ready;
    if (compute.backend !== backend) throw new Error(`the worker got backend ${compute.backend}, the experiment runs on ${backend}`);
    const started = performance.now();
    const ctx: TransferContext = {
      ...job.ctx,
      progress: silentProgress,
      pretrained: () => Promise.reject(new Error('a pretraining worker does not nest pretrainings')),
    };
    const trained = pretrainOnSources(ctx);
    const tensors = trained.model.net.getWeights();
    const weights = tensors.map((t) => ({ shape: [...t.shape], values: Float32Array.from(t.dataSync()) }));
    trained.model.net.dispose();
    return { ok: true, key: job.key, spec: trained.model.spec, preprocessor: trained.preprocessor.toJSON(), history: trained.history, weights, seconds: (performance.now() - started) / 1000 };
  } catch (e) {
    const err = e as Error;
    return { ok: false, key: job.key, message: err.message, stack: err.stack ?? '' };
  }
}
