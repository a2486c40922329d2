import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  ImageReadError,
  detectImageFormat,
  listImageReaders,
  plainLayout,
  readImageFile,
  registerImageReader,
  type ImageReader,
} from '../../../src/data/readers/index.js';
import { fixture, scratchFile } from './helpers.js';

const DICOM = new URL('../../fixtures/dicom/', import.meta.url).pathname;

test('the content picks the reader, not the name, wherever the format has a magic number', async () => {
  const nifti = readFileSync(fixture('anatomical.nii'));
  const png = readFileSync(fixture('breast_rgb8.png'));
  const dicom = readFileSync(join(DICOM, 'CT_small.dcm'));
  const npz = readFileSync(fixture('breastmnist_tiny.npz'));
  assert.equal(detectImageFormat(nifti, 'scan.png'), 'nifti');
  assert.equal(detectImageFormat(png, 'scan.nii'), 'png');
  assert.equal(detectImageFormat(dicom, 'scan.jpg'), 'dicom');
  assert.equal(detectImageFormat(npz, 'scan.dcm'), 'npz');
  // Decoding follows: a NIfTI named .png decodes as NIfTI.
  const v = await readImageFile(scratchFile('really-nifti.png', nifti));
  assert.equal(v.format, 'nifti');
  assert.deepEqual(v.shape, [25, 41, 33]);
  // Without a magic number the name decides: a gzip stream is NIfTI only as .nii.gz; a damaged .nii goes to the NIfTI reader.
  const gz = new Uint8Array([0x1f, 0x8b, 8, 0]);
  assert.equal(detectImageFormat(gz, 'x.nii.gz'), 'nifti');
  assert.equal(detectImageFormat(gz, 'x.gz'), undefined);
  assert.equal(detectImageFormat(new TextEncoder().encode('garbage'), 'x.nii'), 'nifti');
});

test('an unknown format names the file and lists the known readers', async () => {
  const path = scratchFile('mystery.bin', 'hello world');
  await assert.rejects(readImageFile(path), (e: unknown) => {
    assert.ok(e instanceof ImageReadError);
    assert.ok(e.message.startsWith(`${path}: unknown image format`), e.message);
    for (const r of ['dicom', 'png', 'jpeg', 'npz', 'nifti']) assert.match(e.message, new RegExp(`\\b${r} \\(`));
    assert.match(e.message, /nifti \(NIfTI-1 \.nii\/\.nii\.gz, \.nii \.nii\.gz\)/);
    return true;
  });
});

test('every built-in reader returns a typed layout: axes, channels and where the channel axis is', async () => {
  const png = await readImageFile(fixture('breast_rgb8.png'));
  assert.deepEqual(png.layout, { axes: ['y', 'x', 'c'], channels: 3, channelAxis: 2 });
  const grey = await readImageFile(fixture('breast_gray8.png'));
  assert.deepEqual([grey.layout.axes, grey.layout.channels], [['y', 'x', 'c'], 1]);
  const npz = await readImageFile(fixture('breastmnist_tiny.npz'));
  assert.deepEqual(npz.layout, { axes: ['n', 'y', 'x'], channels: 1, channelAxis: null });
  const rgb = await readImageFile(join(DICOM, 'SC_rgb_rle_2frame.dcm'));
  assert.deepEqual([rgb.layout.axes, rgb.layout.channels, rgb.layout.channelAxis], [['z', 'y', 'x', 'c'], 3, 3]);
  for (const v of [png, grey, npz, rgb]) assert.equal(v.layout.axes.length, v.shape.length);
});

test('an external reader joins through registerImageReader and is sniffed by its own magic', async () => {
  // A toy format: 'MTL1', then height and width bytes, then one uint8 per pixel.
  const toy: ImageReader = {
    name: 'toy',
    description: 'toy test format',
    extensions: ['.toy'],
    sniff: (b) => b.length >= 4 && new TextDecoder().decode(b.subarray(0, 4)) === 'MTL1',
    async read(b, path) {
      const shape = [b[4], b[5]];
      if (b.length < 6 || b.length < 6 + shape[0] * shape[1]) throw new ImageReadError(`${path}: truncated toy file`);
      return { format: 'toy', shape, layout: plainLayout(['y', 'x'], shape), data: Float32Array.from(b.subarray(6, 6 + shape[0] * shape[1])), metadata: {} };
    },
  };
  registerImageReader(toy);
  assert.throws(() => registerImageReader(toy), /image reader 'toy' is already registered/);
  assert.deepEqual(listImageReaders().map((r) => r.name), ['dicom', 'png', 'jpeg', 'npz', 'nifti', 'toy']);
  const path = scratchFile('image.dat', new Uint8Array([0x4d, 0x54, 0x4c, 0x31, 2, 3, 1, 2, 3, 4, 5, 6]));
  const v = await readImageFile(path);
  assert.equal(v.format, 'toy');
  assert.deepEqual([...v.data], [1, 2, 3, 4, 5, 6]);
  await assert.rejects(readImageFile(scratchFile('cut.toy', 'abc')), /cut\.toy: truncated toy file/);
});
