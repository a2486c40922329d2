import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { collectFeatures, extractFeatures, type StreamOptions } from '../../src/models/feature-stream.js';
import { EmbeddingCache, imageHash } from '../../src/models/embedding-cache.js';
import { backboneImageKey, OnnxBackbone, type BackboneImage } from '../../src/models/onnx-backbone.js';
import { sha256 } from '../../src/util/fs.js';
import { writeTinyCnn } from '../helpers/onnx-builder.js';

// The committed tiny-cnn.onnx (Conv(3->4, 3x3) + ReLU + global average pool, NCHW [N,3,8,8] -> [N,4]) and PyTorch's
// outputs for it, both made by make_tiny_cnn.py: kept only for the PyTorch-equivalence test, which checks our numerics
// against an independent implementation that the hand-built model below cannot stand in for.
const FIXTURE = new URL('../fixtures/onnx/tiny-cnn.onnx', import.meta.url).pathname;
const EXPECTED = new URL('../fixtures/onnx/tiny-cnn.expected.json', import.meta.url).pathname;

// Every other test builds its model here (issue 4: tests build a small ONNX model themselves): the same architecture, hand-encoded.
const modelDir = await mkdtemp(join(tmpdir(), 'medtl-onnx-backbone-'));
const MODEL = (await writeTinyCnn(modelDir)).path;
after(() => rm(modelDir, { recursive: true, force: true }));

/** The generator script's fixed input, image `i`, laid out HWC as medtl images are. */
function fixtureImage(i: number): Float32Array {
  const out = new Float32Array(8 * 8 * 3);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) for (let c = 0; c < 3; c++) out[(y * 8 + x) * 3 + c] = Math.sin(i + 0.1 * c + 0.01 * (y * 8 + x));
  return out;
}

async function* stream(n: number): AsyncGenerator<BackboneImage> {
  for (let i = 0; i < n; i++) yield { id: `img${i}`, pixels: fixtureImage(i % 2) };
}

/** Embeds images with the backbone through the shared streaming API. */
function embedAll(bb: OnnxBackbone, images: AsyncIterable<BackboneImage> | Iterable<BackboneImage>, opts: StreamOptions<BackboneImage>) {
  return extractFeatures(images, bb.fillImage(), bb.extractor(), opts);
}

test('the ONNX backbone reproduces the PyTorch outputs of the exported model', async () => {
  const bb = await OnnxBackbone.load(FIXTURE, { inputShape: [8, 8, 3], threads: 1 });
  const expected = JSON.parse(await readFile(EXPECTED, 'utf8')) as { output: number[][] };
  const packed = new Float32Array(2 * 192);
  packed.set(fixtureImage(0), 0);
  packed.set(fixtureImage(1), 192);
  const out = await bb.embed(packed, 2);
  assert.equal(out.dim, 4);
  // float32 conv sums over 27 taps in a different order than PyTorch: agreement to 1e-5 absolute, on outputs of order 0.01-0.1.
  expected.output.flat().forEach((v, i) => assert.ok(Math.abs(out.data[i] - v) < 1e-5, `output ${i}: ${out.data[i]} vs ${v}`));
  assert.equal(bb.modelHash, sha256(await readFile(FIXTURE)));
  await bb.dispose();
});

test('batched extraction keeps input order across a partial last batch and equals one-at-a-time embedding', async () => {
  const bb = await OnnxBackbone.load(MODEL, { inputShape: [8, 8, 3], threads: 1 });
  const { ids, block } = await collectFeatures(embedAll(bb, stream(7), { batchSize: 3 }), (im) => im.id);
  assert.deepEqual(ids, ['img0', 'img1', 'img2', 'img3', 'img4', 'img5', 'img6']);
  assert.equal(block.dim, 4);
  for (let i = 0; i < 7; i++) {
    const single = await bb.embed(fixtureImage(i % 2), 1);
    // Same kernels on the same image; batching may change the summation blocking, hence 1e-6 rather than equality.
    single.data.forEach((v, j) => assert.ok(Math.abs(block.data[i * 4 + j] - v) < 1e-6));
  }
  await bb.dispose();
});

test('single-channel images are repeated across the model channels', async () => {
  const bb = await OnnxBackbone.load(MODEL, { inputShape: [8, 8, 3], threads: 1 });
  const gray = Float32Array.from({ length: 64 }, (_, p) => Math.cos(p));
  const rgb = new Float32Array(192);
  for (let p = 0; p < 64; p++) rgb.fill(gray[p], p * 3, p * 3 + 3);
  assert.deepEqual((await bb.embed(gray, 1)).data, (await bb.embed(rgb, 1)).data);
  // The extractor's fill repeats the channel the same way.
  const { block } = await collectFeatures(
    embedAll(bb, [{ id: 'gray', pixels: gray }, { id: 'rgb', pixels: rgb }], { batchSize: 2 }),
    (im) => im.id,
  );
  assert.deepEqual(block.data.subarray(0, 4), block.data.subarray(4, 8));
  assert.throws(() => bb.fillImage()({ id: 'bad', pixels: new Float32Array(5) }, new Float32Array(192), 0), /image 'bad': 5 values/);
  await bb.dispose();
});

test('the embedding cache misses first, hits on the same image and model, and never serves another model', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-embcache-'));
  const bb = await OnnxBackbone.load(MODEL, { inputShape: [8, 8, 3], threads: 1 });
  const cache = new EmbeddingCache(dir);
  const first = await collectFeatures(embedAll(bb, stream(4), { batchSize: 2, cache }), (im) => im.id);
  // Images 0 and 2 (and 1 and 3) have identical pixels, so the second of each pair is a hit: 2 misses, 2 hits within the run.
  assert.deepEqual(cache.stats, { hits: 2, misses: 2, writes: 2 });
  const again = [];
  for await (const b of embedAll(bb, stream(4), { batchSize: 2, cache })) again.push(b);
  assert.ok(again.every((b) => b.cached.every(Boolean)));
  assert.deepEqual(cache.stats, { hits: 6, misses: 2, writes: 2 });
  assert.deepEqual(Float32Array.from(again.flatMap((b) => [...b.features])), first.block.data);
  // The key is image hash plus model hash: a different model file misses.
  const otherModel = 'f'.repeat(64);
  assert.equal(await cache.get(imageHash(fixtureImage(0)), otherModel), undefined);
  const files = await readdir(join(dir, bb.modelHash), { recursive: true });
  assert.equal(files.filter((f) => String(f).endsWith('.f32')).length, 2);
  await bb.dispose();
});

test('a cache keyed by source bytes: a hit in the middle of a batch is filled in around the misses', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-embcache-'));
  const bb = await OnnxBackbone.load(MODEL, { inputShape: [8, 8, 3], threads: 1 });
  const cache = new EmbeddingCache(dir);
  const images = (ids: string[]): BackboneImage[] => ids.map((id, i) => ({ id, pixels: fixtureImage(i), bytes: new TextEncoder().encode(id) }));
  const opts = { batchSize: 3, cache, cacheKey: backboneImageKey };
  await collectFeatures(embedAll(bb, images(['a', 'b', 'c']), opts), (im) => im.id);
  // Only 'b' is cached now; in the next batch it sits between two misses with different pixels.
  await rm(join(dir, bb.modelHash), { recursive: true });
  await cache.set(imageHash(new TextEncoder().encode('b')), bb.modelHash, Float32Array.of(9, 9, 9, 9));
  const batches = [];
  for await (const b of embedAll(bb, images(['x', 'b', 'y']), opts)) batches.push(b);
  assert.deepEqual(batches[0].cached, [false, true, false]);
  const data = batches[0].features;
  assert.deepEqual([...data.subarray(4, 8)], [9, 9, 9, 9]);
  // The misses were compacted before inference: each still gets its own image's embedding (same tolerance as above).
  for (const i of [0, 2]) {
    const single = await bb.embed(fixtureImage(i), 1);
    single.data.forEach((v, j) => assert.ok(Math.abs(data[i * 4 + j] - v) < 1e-6, `image ${i} feature ${j}`));
  }
  await assert.rejects(collectFeatures(extractFeatures(images(['z']), bb.fillImage(), { ...bb.extractor(), modelHash: undefined }, { cache }), (im) => im.id), /no modelHash/);
  await bb.dispose();
});

test('a missing or invalid model file is named in the error', async () => {
  await assert.rejects(OnnxBackbone.load('/nonexistent/model.onnx', { inputShape: [8, 8, 3] }), /\/nonexistent\/model\.onnx/);
  await assert.rejects(OnnxBackbone.load(EXPECTED, { inputShape: [8, 8, 3] }), /tiny-cnn\.expected\.json/);
});

test('extraction streams: it reads no more than two batches ahead of what it has yielded', async () => {
  const bb = await OnnxBackbone.load(MODEL, { inputShape: [8, 8, 3], threads: 1 });
  let pulled = 0;
  async function* counted(): AsyncGenerator<BackboneImage> {
    for (let i = 0; i < 10; i++) {
      pulled++;
      yield { id: `img${i}`, pixels: fixtureImage(i % 2) };
    }
  }
  let yielded = 0;
  for await (const b of embedAll(bb, counted(), { batchSize: 4 })) {
    assert.deepEqual(b.items.map((im) => im.id), b.items.map((_, i) => `img${yielded + i}`));
    // Images held at any time: the batch being yielded and the one being filled or run, 4 each.
    assert.ok(pulled - yielded <= 8, `pulled ${pulled}, yielded ${yielded}`);
    yielded += b.items.length;
  }
  assert.equal(yielded, 10);
  await bb.dispose();
});
