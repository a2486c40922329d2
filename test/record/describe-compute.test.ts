import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeCompute } from '../../src/record/metrics-json.js';

test('describeCompute names the backend, native kernels and threads; old run records give the backend alone', () => {
  assert.equal(describeCompute({ backend: 'wasm', compute: { backend: 'wasm', threads: 2, native_kernels: true } }), 'wasm + native OpenBLAS kernels, 2 threads');
  assert.equal(describeCompute({ backend: 'wasm', compute: { backend: 'wasm', threads: 1, native_kernels: true, convolutions: 'onednn' } }), 'wasm + native OpenBLAS kernels (oneDNN convolutions), 1 thread');
  assert.equal(describeCompute({ backend: 'wasm', compute: { backend: 'wasm', threads: 1, native_kernels: false } }), 'wasm, 1 thread');
  assert.equal(describeCompute({ backend: 'wasm' }), 'wasm');
});
