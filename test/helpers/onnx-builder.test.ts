import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { closeOnnxModel, onnxOutputSize, openOnnxModel, runOnnxBatch } from '../../src/models/onnx-session.js';
import { OnnxBackbone } from '../../src/models/onnx-backbone.js';
import { sha256 } from '../../src/util/fs.js';
import { encodeOnnxModel, tinyCnnReference, tinyCnnWeights, writeTinyCnn, type TinyCnnWeights } from './onnx-builder.js';

// Each output is a float32 sum of at most 27 products (|w| <= 0.7, |x| <= 1) then a mean of 64 values, all of
// order 1: float32 rounding (2^-24 relative per step, ~100 steps) stays below 1e-5 absolute. A wrong kernel
// orientation or padding moves outputs by more than 1e-2, which the flipped-kernel check below measures.
const TOL = 1e-5;

/** x[n, c, h, w] = sin(1.3 n + 0.7 c + 0.37 h - 0.23 w), NCHW, values in [-1, 1] with no symmetry in h or w. */
function nchwInput(n: number, c: number, size: number): Float32Array {
  return Float32Array.from({ length: n * c * size * size }, (_, k) => {
    const [i, ch, y, x] = [Math.floor(k / (c * size * size)), Math.floor(k / (size * size)) % c, Math.floor(k / size) % size, k % size];
    return Math.sin(1.3 * i + 0.7 * ch + 0.37 * y - 0.23 * x);
  });
}

/** The same weights with every kernel flipped left-right: what a convolution (rather than correlation) would use. */
function flipped(w: TinyCnnWeights): TinyCnnWeights {
  const kernel = w.kernel.map((_, k) => w.kernel[k - (k % 3) + 2 - (k % 3)]);
  return { ...w, kernel };
}

test('onnxruntime runs a hand-encoded Conv-Relu-GlobalAveragePool-Flatten model and matches a TypeScript reference', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-onnx-builder-'));
  try {
    for (const cin of [1, 3]) {
      const { path, weights } = await writeTinyCnn(dir, { inChannels: cin });
      const model = await openOnnxModel(path, { threads: 1 });
      assert.equal(model.inputName, 'pixels');
      assert.equal(model.outputName, 'features');
      // The batch dim is the symbolic 'N'; the feature dim is fixed in the file.
      assert.equal(onnxOutputSize(model), 4);
      assert.equal(model.sha256, sha256(await readFile(path)));
      const x = nchwInput(2, cin, 8);
      const out = await runOnnxBatch(model, x, [2, cin, 8, 8]);
      assert.deepEqual([...out.dims], [2, 4]);
      const ref = tinyCnnReference(weights, x, 2, 8, 8);
      ref.forEach((v, i) => assert.ok(Math.abs(out.data[i] - v) <= TOL, `${cin} channel(s), output ${i}: ${out.data[i]} vs ${v}`));
      // ReLU must matter (some pre-activations negative) or the test would not check it.
      const linear = tinyCnnReference(weights, x, 2, 8, 8, false);
      assert.ok(linear.some((v, i) => Math.abs(v - ref[i]) > 100 * TOL), 'ReLU changes some outputs');
      assert.ok(ref.some((v) => v > 0.01), 'some outputs are clearly positive');
      const wrong = tinyCnnReference(flipped(weights), x, 2, 8, 8);
      assert.ok(wrong.some((v, i) => Math.abs(v - ref[i]) > 100 * TOL), 'a flipped kernel is distinguishable at this tolerance');
      await closeOnnxModel(model);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the built model loads as an OnnxBackbone and embeds HWC images like the reference', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-onnx-builder-'));
  try {
    const { path, weights } = await writeTinyCnn(dir);
    const bb = await OnnxBackbone.load(path, { inputShape: [8, 8, 3], threads: 1 });
    assert.equal(bb.dim, 4);
    const nchw = nchwInput(1, 3, 8);
    const hwc = new Float32Array(192);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 64; p++) hwc[p * 3 + c] = nchw[c * 64 + p];
    const out = await bb.embed(hwc, 1);
    tinyCnnReference(weights, nchw, 1, 8, 8).forEach((v, i) => assert.ok(Math.abs(out.data[i] - v) <= TOL, `output ${i}: ${out.data[i]} vs ${v}`));
    await bb.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the encoder refuses an initializer whose values do not fill its dims, naming it', () => {
  assert.throws(
    () => encodeOnnxModel({ name: 'g', nodes: [], initializers: [{ name: 'W', dims: [2, 2], values: new Float32Array(3) }], inputs: [], outputs: [] }),
    /initializer 'W' has 3 values/,
  );
  assert.equal(tinyCnnWeights(2).kernel.length, 4 * 2 * 9);
});
