import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample, Volume } from '../../src/data/types.js';
import { FittedPreprocessor, fitPreprocessor } from '../../src/preprocess/preprocessor.js';
import { fitVolume, FittedVolume, windowAndResizeVolume } from '../../src/preprocess/volume.js';

/** A one-channel D x H x W volume whose voxel (z, y, x) is f(z, y, x). */
function volume(d: number, h: number, w: number, f: (z: number, y: number, x: number) => number): Volume {
  const data = new Float32Array(d * h * w);
  for (let z = 0; z < d; z++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[(z * h + y) * w + x] = f(z, y, x);
  return { depth: d, height: h, width: w, channels: 1, data };
}

function sample(id: string, v: Volume | undefined): Sample {
  return { subjectId: id, siteId: 's', label: 0, ...(v && { volume: v }) };
}

const WIDE: [number, number] = [-1e6, 1e6];

test('windowAndResizeVolume: same size only clips to the window', () => {
  const v = volume(2, 3, 4, (z, y, x) => 100 * z + 10 * y + x - 50);
  const out = windowAndResizeVolume(v, [-10, 100], [2, 3, 4]);
  assert.deepEqual([...out], [...v.data].map((x) => Math.min(Math.max(x, -10), 100)));
});

test('windowAndResizeVolume: trilinear with aligned voxel centres reproduces a linear ramp', () => {
  // Halving 4 -> 2 samples source positions 0.5 and 2.5 on every axis; on a linear function trilinear
  // interpolation is exact, so the only error is float32 rounding of values below 400 (< 1e-4).
  const v = volume(4, 4, 4, (z, y, x) => 100 * z + 10 * y + x);
  const out = windowAndResizeVolume(v, WIDE, [2, 2, 2]);
  const expected = [0.5, 2.5].flatMap((z) => [0.5, 2.5].flatMap((y) => [0.5, 2.5].map((x) => 100 * z + 10 * y + x)));
  out.forEach((o, i) => assert.ok(Math.abs(o - expected[i]) < 1e-4, `voxel ${i}: ${o} vs ${expected[i]}`));
  // A single slice stretched to depth 3 repeats it (edges are clamped).
  const flat = volume(1, 2, 2, (_z, y, x) => 2 * y + x);
  assert.deepEqual([...windowAndResizeVolume(flat, WIDE, [3, 2, 2])], [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
  assert.throws(() => windowAndResizeVolume({ ...flat, depth: 2 }, WIDE, [1, 1, 1]), /volume data has 4 values, expected 2x2x2x1/);
});

test('fitVolume: statistics come from training volumes only; shape, missing volume and JSON round trip', () => {
  const train = [sample('a', volume(2, 4, 4, () => 0)), sample('b', volume(3, 6, 6, () => 10)), sample('c', undefined)];
  const fitted = fitVolume(train, { window: [-100, 100], size: [2, 2, 2] });
  // Constant volumes of 0 and 10 resample to 0 and 10 exactly: mean 5, sd 5.
  assert.equal(fitted.state.mean, 5);
  assert.equal(fitted.state.sd, 5);
  assert.equal(fitted.state.nFit, 2);
  assert.deepEqual(fitted.shape, [2, 2, 2, 1]);
  // A test volume of 1000 is clipped to the window (100) and standardised with the training statistics.
  assert.deepEqual([...fitted.apply(volume(2, 2, 2, () => 1000))], new Array(8).fill(19));
  assert.deepEqual([...fitted.apply(undefined)], new Array(8).fill(0));
  const restored = FittedVolume.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
  assert.deepEqual(restored.state, fitted.state);
  assert.throws(() => FittedVolume.fromJSON({ ...fitted.state, type: 'image' as 'volume' }), /not a volume preprocessor state \(type=image/);
  assert.throws(() => fitVolume([sample('c', undefined)], { window: [0, 1], size: [2, 2, 2] }), /no training sample has a volume/);
  assert.throws(() => fitVolume(train, { window: [0, 1], size: [2, 0, 2] }), /volume size must be \[depth, height, width\] of positive integers, got \[2, 0, 2\]/);
});

test('fitPreprocessor with volume options fills FeatureSet.volume instead of the 2-D image, and survives toJSON/fromJSON', () => {
  const train = [sample('a', volume(2, 4, 4, (z) => z)), sample('b', volume(2, 4, 4, (z) => 3 * z))];
  const test = [sample('t1', volume(4, 8, 8, (z) => z + 1)), sample('t2', undefined)];
  const spec = { modalities: ['image'] as const, schema: [], image: { window: [0, 10] as const, size: 4 }, volume: { window: [0, 10] as const, size: [2, 2, 2] as const } };
  const pre = fitPreprocessor(train, spec);
  assert.equal(pre.image, undefined);
  assert.deepEqual(pre.fittedOn, ['s/a', 's/b']);
  const fs = pre.transform(test);
  assert.deepEqual(fs.volume?.shape, [2, 2, 2, 1]);
  assert.equal(fs.volume?.data.length, 16);
  assert.equal(fs.image, undefined);
  assert.deepEqual([...(fs.masks?.image ?? [])], [1, 0]);
  const back = FittedPreprocessor.fromJSON(JSON.parse(JSON.stringify(pre.toJSON())));
  assert.deepEqual(back.transform(test).volume?.data, fs.volume?.data);
});
