import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { onnxExtractor, openOnnxModel, runOnnxBatch } from '../../src/compute/onnx-session.js';
import { streamFeatures } from '../../src/compute/feature-stream.js';

const MODEL = fileURLToPath(new URL('./fixtures/tiny-conv.onnx', import.meta.url));
// PyTorch's outputs for x = arange(48).reshape(3, 1, 4, 4) / 10 (see fixtures/SOURCE-tiny-conv.md).
const EXPECTED = [
  [-0.2486320436000824, -0.38656842708587646],
  [-0.39115390181541443, -1.0380313396453857],
  [-0.5336757898330688, -1.6894941329956055],
];
const input = Float32Array.from({ length: 48 }, (_, i) => i / 10);

// Both runtimes sum 9 float32 products per pixel and average 16 pixels, in different orders:
// rounding differences stay near 1e-7 relative; 1e-5 absolute leaves margin and still catches any wrong weight or layout.
const TOL = 1e-5;

describe('onnx-session', () => {
  it('runs a batch and matches PyTorch', async () => {
    const model = await openOnnxModel(MODEL, { threads: 1 });
    assert.equal(model.inputName, 'input');
    const out = await runOnnxBatch(model, input, [3, 1, 4, 4]);
    assert.deepEqual([...out.dims], [3, 2]);
    EXPECTED.flat().forEach((v, i) => assert.ok(Math.abs(out.data[i] - v) <= TOL, `feature ${i}: ${out.data[i]} vs ${v}`));
  });

  it('names the file when it cannot be opened', async () => {
    await assert.rejects(openOnnxModel('/nonexistent/model.onnx'), /\/nonexistent\/model\.onnx/);
  });

  it('streams items through the model in batches, with a partial last batch, in order', async () => {
    const model = await openOnnxModel(MODEL, { threads: 1 });
    const items = [0, 1, 2, 0, 1, 2, 2]; // image indices into `input`
    const seen: number[] = [];
    const features = await streamFeatures(items, items.length, (k, buf, off) => buf.set(input.subarray(k * 16, (k + 1) * 16), off), onnxExtractor(model, [1, 4, 4], 2), {
      batchSize: 3,
      onBatch: (done) => seen.push(done),
    });
    assert.deepEqual(seen, [3, 6, 7]);
    items.forEach((k, i) => EXPECTED[k].forEach((v, j) => assert.ok(Math.abs(features[i * 2 + j] - v) <= TOL, `item ${i} feature ${j}`)));
  });

  it('rejects a source that yields a different count than announced', async () => {
    const model = await openOnnxModel(MODEL, { threads: 1 });
    const fill = (k: number, buf: Float32Array, off: number) => buf.set(input.subarray(k * 16, (k + 1) * 16), off);
    await assert.rejects(streamFeatures([0, 1], 3, fill, onnxExtractor(model, [1, 4, 4], 2)), /yielded 2 items, 3 were announced/);
    await assert.rejects(streamFeatures([0, 1, 2], 2, fill, onnxExtractor(model, [1, 4, 4], 2)), /more than the 2 items/);
  });
});
