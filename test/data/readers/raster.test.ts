import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import sharp from 'sharp';
import { ImageReadError, pixelStats, readImageFile } from '../../../src/data/readers/index.js';
import { REFERENCE, assertClose, fixture, scratchFile } from './helpers.js';

for (const name of ['breast_gray8.png', 'breast_gray16.png', 'breast_rgb8.png']) {
  test(`PNG ${name}: HWC shape, bit depth and statistics match the numpy reference`, async () => {
    const ref = REFERENCE[name];
    const v = await readImageFile(fixture(name));
    assert.equal(v.format, 'png');
    assert.deepEqual(v.shape, ref.shape);
    assert.equal(v.metadata.bitDepth, ref.bitDepth);
    assert.equal(v.spacing, undefined);
    const s = pixelStats(v);
    assert.equal(s.min, ref.min);
    assert.equal(s.max, ref.max);
    assertClose(s.mean, ref.mean, 'mean');
    assert.equal(s.sha256, ref.sha256);
  });
}

test('PNG: 16-bit values keep their full range (not cut to 8 bits)', async () => {
  const v = await readImageFile(fixture('breast_gray16.png'));
  assert.ok(pixelStats(v).max! > 255);
});

/** A smooth 32x24 test pattern, grey or RGB. */
function pattern(channels: 1 | 3): Uint8Array {
  const w = 32;
  const h = 24;
  const px = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < channels; c++) px[(y * w + x) * channels + c] = 40 + 4 * x + 2 * y + 30 * c;
  return px;
}

for (const channels of [1, 3] as const) {
  test(`JPEG ${channels === 1 ? 'greyscale' : 'RGB'}: HWC shape and values close to the encoded pattern`, async () => {
    const px = pattern(channels);
    const jpeg = await sharp(px, { raw: { width: 32, height: 24, channels } })
      .toColourspace(channels === 1 ? 'b-w' : 'srgb')
      .jpeg({ quality: 95 })
      .toBuffer();
    const path = scratchFile(`pattern${channels}.jpg`, jpeg);
    const v = await readImageFile(path);
    assert.equal(v.format, 'jpeg');
    assert.deepEqual(v.shape, [24, 32, channels]);
    assert.equal(v.metadata.bitDepth, 8);
    let sumErr = 0;
    for (let i = 0; i < px.length; i++) sumErr += Math.abs(v.data[i] - px[i]);
    assert.ok(sumErr / px.length <= 4, `JPEG round trip differs by ${sumErr / px.length} on average`);
  });
}

test('PNG/JPEG bad input: truncated PNG, truncated JPEG, PNG content named .jpg', async () => {
  const png = readFileSync(fixture('breast_rgb8.png'));
  const cut = scratchFile('cut.png', png.subarray(0, png.length - 200));
  await assert.rejects(readImageFile(cut), (e: unknown) => e instanceof ImageReadError && e.message.startsWith(cut) && /PNG/.test(e.message));
  const jpeg = await sharp(pattern(3), { raw: { width: 32, height: 24, channels: 3 } }).jpeg().toBuffer();
  const cutJpeg = scratchFile('cut.jpg', jpeg.subarray(0, jpeg.length >> 1));
  await assert.rejects(readImageFile(cutJpeg), (e: unknown) => e instanceof ImageReadError && e.message.startsWith(cutJpeg) && /JPEG/.test(e.message));
  // Content decides: a PNG with a .jpg name is read as PNG.
  const renamed = scratchFile('really-png.jpg', png);
  assert.equal((await readImageFile(renamed)).format, 'png');
});
