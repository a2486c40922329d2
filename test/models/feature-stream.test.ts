import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { collectFeatures, extractFeatures, streamFeatures, type BatchExtractor } from '../../src/models/feature-stream.js';
import { OnnxBackbone } from '../../src/models/onnx-backbone.js';
import { writeTinyCnn } from '../helpers/onnx-builder.js';

/** A synchronous extractor whose features are exact (sum and first value of each item), so results compare exactly. */
const sumExtractor: BatchExtractor = {
  inputSize: 3,
  outputDim: 2,
  run: (batch, n) => Float32Array.from({ length: n * 2 }, (_, k) => (k % 2 ? batch[(k >> 1) * 3] : batch[(k >> 1) * 3] + batch[(k >> 1) * 3 + 1] + batch[(k >> 1) * 3 + 2])),
};
const fill = (k: number, out: Float32Array, off: number) => out.set([k, 10 * k, 100 * k], off);

describe('feature-stream', () => {
  it('streams items in batches, with a partial last batch, in order', async () => {
    const items = [1, 2, 3, 4, 5, 6, 7];
    const seen: number[] = [];
    const features = await streamFeatures(items, items.length, fill, sumExtractor, { batchSize: 3, onBatch: (done) => seen.push(done) });
    assert.deepEqual(seen, [3, 6, 7]);
    assert.deepEqual([...features], items.flatMap((k) => [111 * k, k]));
  });

  it('rejects a source that yields a different count than announced, and an extractor of the wrong size', async () => {
    await assert.rejects(streamFeatures([0, 1], 3, fill, sumExtractor), /yielded 2 items, 3 were announced/);
    await assert.rejects(streamFeatures([0, 1, 2], 2, fill, sumExtractor), /more than the 2 items/);
    await assert.rejects(streamFeatures([0, 1], 2, fill, { ...sumExtractor, outputDim: 3 }), /returned 4 values for 2 items, expected 6/);
    await assert.rejects(streamFeatures([0], 1, fill, sumExtractor, { batchSize: 0 }), /batchSize must be a positive integer/);
  });

  it('overlaps an asynchronous extractor with filling but never runs two batches at once', async () => {
    let running = 0;
    let maxRunning = 0;
    const slow: BatchExtractor = {
      ...sumExtractor,
      run: async (batch, n) => {
        maxRunning = Math.max(maxRunning, ++running);
        const copy = batch.slice(0, n * 3);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return sumExtractor.run(copy, n);
      },
    };
    const { ids, block } = await collectFeatures(extractFeatures([1, 2, 3, 4, 5], fill, slow, { batchSize: 2 }), String);
    assert.deepEqual(ids, ['1', '2', '3', '4', '5']);
    assert.deepEqual([...block.data], [1, 2, 3, 4, 5].flatMap((k) => [111 * k, k]));
    assert.equal(maxRunning, 1);
  });

  it('streams an ONNX backbone: the same features as one batch of all images', async () => {
    // A tiny CNN built by the test itself (Conv 3->4 + ReLU + global average pool), written to a temp file.
    const dir = await mkdtemp(join(tmpdir(), 'medtl-feature-stream-'));
    const bb = await OnnxBackbone.load((await writeTinyCnn(dir)).path, { inputShape: [8, 8, 3], threads: 1 });
    const image = (k: number) => Float32Array.from({ length: 192 }, (_, p) => Math.cos(k + p / 50));
    const items = [0, 1, 2, 0, 1, 2, 2];
    const features = await streamFeatures(items, items.length, (k, out, off) => out.set(image(k), off), bb.extractor(), { batchSize: 3 });
    const all = new Float32Array(items.length * 192);
    items.forEach((k, i) => all.set(image(k), i * 192));
    const whole = await bb.embed(all, items.length);
    // Same kernels on the same images; only the batch grouping differs, which may change summation blocking: 1e-6 absolute.
    whole.data.forEach((v, i) => assert.ok(Math.abs(features[i] - v) <= 1e-6, `feature ${i}: ${features[i]} vs ${v}`));
    await bb.dispose();
    await rm(dir, { recursive: true, force: true });
  });
});
