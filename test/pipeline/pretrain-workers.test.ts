// Source pretraining on worker threads (src/pipeline/pretrain-workers.ts): the same model as in
// this thread, errors that name the pretraining, a pool that can be closed, and the sizing rule.
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { initCompute, kernelThreads, nativeAvailability, openKernelThreads, type BackendName } from '../../src/compute/index.js';
import { predictProba } from '../../src/models/fusion.js';
import { nativeSkipReason } from '../helpers/native-skip.js';
import { PretrainPool, pretrainInput, pretrainWorkerCount, singleThreadKernels, type PretrainInput } from '../../src/pipeline/pretrain-workers.js';
import { pretrainOnSources } from '../../src/transfer/pretrain.js';
import { toyContext, toyTargetTest, toyTransferData } from '../transfer/context.js';

// With the addon the kernels are the native ones (CI builds it); the cpu backend otherwise.
const backend: BackendName = nativeAvailability().ok ? 'wasm' : 'cpu';

before(async () => {
  await initCompute({ prefer: backend, threads: 1, log: () => undefined });
});

function input(modalities: PretrainInput['modalities'], data = toyTransferData()): PretrainInput {
  return pretrainInput({ ...toyContext(data), modalities });
}

test(`a pretraining on a worker thread gives this thread's model bit for bit (${backend})`, async () => {
  const job = input(['image', 'tabular']);
  const pool = new PretrainPool(1, backend, () => undefined);
  const remote = await pool.run({ key: 'image+tabular', ctx: job });
  await pool.close();
  const local = pretrainOnSources({ ...toyContext(job.data), modalities: job.modalities });
  const a = remote.model.net.getWeights();
  const b = local.model.net.getWeights();
  assert.equal(a.length, b.length);
  a.forEach((w, i) => assert.deepEqual(w.dataSync(), b[i].dataSync(), `weight ${i} (${w.shape.join('x')})`));
  assert.deepEqual(remote.history, local.history);
  assert.deepEqual(remote.preprocessor.toJSON(), local.preprocessor.toJSON());
  const test = toyTargetTest();
  assert.deepEqual(predictProba(remote.model, remote.preprocessor.transform(test)), predictProba(local.model, local.preprocessor.transform(test)));
  remote.model.net.dispose();
  local.model.net.dispose();
  assert.ok(tf.memory().numTensors < 50, `tensors left: ${tf.memory().numTensors}`);
});

test('two workers run queued pretrainings; a failing one names itself and the others still finish', async () => {
  const logs: string[] = [];
  const pool = new PretrainPool(2, backend, (m) => logs.push(m));
  const empty = { ...toyTransferData(), sourceTrain: [] };
  const jobs = [
    pool.run({ key: 'tabular', ctx: input(['tabular']) }),
    pool.run({ key: 'broken', ctx: input(['tabular'], empty) }),
    pool.run({ key: 'image', ctx: input(['image']) }),
  ];
  const [tab, broken, img] = await Promise.allSettled(jobs);
  await pool.close();
  assert.equal(tab.status, 'fulfilled');
  assert.equal(img.status, 'fulfilled');
  assert.equal(broken.status, 'rejected');
  assert.match((broken as PromiseRejectedResult).reason.message, /pretraining \[broken\] on a worker thread failed: source pretraining: no source training samples/);
  for (const r of [tab, img]) (r as PromiseFulfilledResult<Awaited<(typeof jobs)[0]>>).value.model.net.dispose();
  assert.ok(logs.includes('pretrain [tabular]: on a worker thread') && logs.some((l) => /^pretrain \[image\]: done on a worker thread in \d+\.\d s$/.test(l)), logs.join('\n'));
});

test('closing the pool rejects what is queued or running', async () => {
  const pool = new PretrainPool(1, backend, () => undefined);
  const jobs = [pool.run({ key: 'a', ctx: input(['tabular']) }), pool.run({ key: 'b', ctx: input(['tabular']) })];
  // Handlers first: the wasm backend turns an unhandled rejection into an exception.
  const settled = Promise.allSettled(jobs);
  await pool.close();
  for (const r of await settled) {
    assert.equal(r.status, 'rejected');
    assert.match((r as PromiseRejectedResult).reason.message, /the pretraining pool was closed/);
  }
  assert.throws(() => new PretrainPool(0, backend, () => undefined), /pool size must be a positive integer, got 0/);
});

test('worker count: only where MEDTL_PRETRAIN_WORKERS asks, with two or more pretrainings and threads, capped by all three', () => {
  // Workers are an opt-in: without the variable every pretraining runs in the main thread.
  assert.equal(pretrainWorkerCount(3, 2, {}), 0);
  assert.equal(pretrainWorkerCount(3, 2, { MEDTL_PRETRAIN_WORKERS: '' }), 0);
  const on = { MEDTL_PRETRAIN_WORKERS: '8' };
  assert.equal(pretrainWorkerCount(3, 2, on), 2);
  assert.equal(pretrainWorkerCount(2, 8, on), 2);
  assert.equal(pretrainWorkerCount(1, 8, on), 0);
  assert.equal(pretrainWorkerCount(3, 1, on), 0);
  assert.equal(pretrainWorkerCount(3, 4, { MEDTL_PRETRAIN_WORKERS: '0' }), 0);
  assert.equal(pretrainWorkerCount(3, 4, { MEDTL_PRETRAIN_WORKERS: '1' }), 1);
  assert.throws(() => pretrainWorkerCount(3, 4, { MEDTL_PRETRAIN_WORKERS: 'many' }), /MEDTL_PRETRAIN_WORKERS must be a non-negative integer, got 'many'/);
});

test('pinning the main thread to one kernel thread is counted, and restores the count when the last run ends', { skip: nativeSkipReason() }, () => {
  const outer = openKernelThreads(2);
  const first = singleThreadKernels();
  const second = singleThreadKernels();
  assert.equal(kernelThreads(), 1);
  first();
  first(); // a second call of the same release does nothing
  assert.equal(kernelThreads(), 1, 'the other run still holds it');
  second();
  assert.equal(kernelThreads(), 2);
  outer();
});
