import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { closeOnnxModel, onnxOutputSize, openOnnxModel, runOnnxBatch } from '../../src/models/onnx-session.js';
import { sha256 } from '../../src/util/fs.js';

// tiny-cnn.onnx: Conv(3->4, 3x3) + ReLU + global average pool, NCHW [N,3,8,8] -> [N,4]; made by make_tiny_cnn.py beside it.
const MODEL = fileURLToPath(new URL('../fixtures/onnx/tiny-cnn.onnx', import.meta.url));
const EXPECTED = fileURLToPath(new URL('../fixtures/onnx/tiny-cnn.expected.json', import.meta.url));

/** The generator script's fixed input, stored NCHW: x[n, c, h, w] = sin(n + 0.1 c + 0.01 (8 h + w)). */
const input = Float32Array.from({ length: 2 * 3 * 64 }, (_, k) => Math.sin(Math.floor(k / 192) + 0.1 * (Math.floor(k / 64) % 3) + 0.01 * (k % 64)));

// float32 conv sums over 27 taps in a different order than PyTorch: agreement to 1e-5 absolute, on outputs of
// order 0.01-0.1, leaves margin for rounding and still catches any wrong weight or layout.
const TOL = 1e-5;

describe('onnx-session', () => {
  it('runs a batch and matches PyTorch', async () => {
    const model = await openOnnxModel(MODEL, { threads: 1 });
    assert.equal(model.inputName, 'pixels');
    assert.equal(model.optimization, 'all');
    assert.equal(model.sha256, sha256(await readFile(MODEL)));
    assert.equal(onnxOutputSize(model), 4);
    const expected = (JSON.parse(await readFile(EXPECTED, 'utf8')) as { output: number[][] }).output;
    const out = await runOnnxBatch(model, input, [2, 3, 8, 8]);
    assert.deepEqual([...out.dims], [2, 4]);
    expected.flat().forEach((v, i) => assert.ok(Math.abs(out.data[i] - v) <= TOL, `feature ${i}: ${out.data[i]} vs ${v}`));
    await closeOnnxModel(model);
  });

  it('gives the same outputs without graph optimisation', async () => {
    const a = await openOnnxModel(MODEL, { threads: 1 });
    const b = await openOnnxModel(MODEL, { threads: 1, optimization: 'disabled' });
    const [x, y] = [await runOnnxBatch(a, input, [2, 3, 8, 8]), await runOnnxBatch(b, input, [2, 3, 8, 8])];
    // Fused and unfused kernels sum in different orders: same tolerance as against PyTorch.
    x.data.forEach((v, i) => assert.ok(Math.abs(v - y.data[i]) <= TOL, `feature ${i}: ${v} vs ${y.data[i]}`));
    await Promise.all([closeOnnxModel(a), closeOnnxModel(b)]);
  });

  it('names the file when it cannot be read or is not a model', async () => {
    await assert.rejects(openOnnxModel('/nonexistent/model.onnx'), /\/nonexistent\/model\.onnx/);
    await assert.rejects(openOnnxModel(EXPECTED), /tiny-cnn\.expected\.json/);
  });
});
