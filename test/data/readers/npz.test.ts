import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { encodeNpy } from '../../../src/data/npy.js';
import { ImageReadError, parseNpz, pixelStats, readImageFile, readNpz } from '../../../src/data/readers/index.js';
import { REFERENCE, assertClose, fixture, scratchFile } from './helpers.js';

for (const name of ['breastmnist_tiny.npz', 'breastmnist_tiny_compressed.npz']) {
  test(`npz ${name}: arrays listed, train_images/train_labels match the numpy reference`, async () => {
    const ref = REFERENCE[name];
    const archive = await readNpz(fixture(name));
    assert.deepEqual(archive.names, ref.arrays);
    const labels = archive.get('train_labels');
    assert.deepEqual(labels.shape, ref.train_labels_shape);
    assert.deepEqual(Array.from(labels.data, Number), ref.train_labels);
    const v = await readImageFile(fixture(name));
    assert.equal(v.format, 'npz');
    assert.equal(v.metadata.array, 'train_images');
    assert.deepEqual(v.shape, ref.shape);
    const s = pixelStats(v);
    assert.equal(s.min, ref.min);
    assert.equal(s.max, ref.max);
    assertClose(s.mean, ref.mean, 'mean');
    assert.equal(s.sha256, ref.sha256);
    const val = await readImageFile(fixture(name), { array: 'val_images' });
    assert.deepEqual(val.shape, [4, 28, 28]);
  });
}

test('npz: an archive written in the test (stored members, int64 and float32)', () => {
  const zip = zipSync(
    {
      'x.npy': encodeNpy({ dtype: 'f4', shape: [2, 2], data: new Float32Array([1, 2, 3, 4.5]) }),
      'y.npy': encodeNpy({ dtype: 'i8', shape: [2], data: new BigInt64Array([-3n, 7n]) }),
    },
    { level: 0 },
  );
  const a = parseNpz(zip, 'mem.npz');
  assert.deepEqual(a.names, ['x', 'y']);
  assert.deepEqual(Array.from(a.get('y').data, Number), [-3, 7]);
});

test('npz bad input: bad member, non-.npy member, missing array, truncated zip, empty and unknown files', async () => {
  const badMember = scratchFile('bad-member.npz', zipSync({ 'train_images.npy': strToU8('not numpy at all') }));
  await assert.rejects(readImageFile(badMember), (e: unknown) => e instanceof ImageReadError && e.message.startsWith(badMember) && /bad npz member 'train_images\.npy'.*not a \.npy file/.test(e.message));
  const cutNpy = encodeNpy({ dtype: 'u1', shape: [4, 28, 28], data: new Uint8Array(4 * 28 * 28) }).subarray(0, 500);
  const truncMember = scratchFile('trunc-member.npz', zipSync({ 'train_images.npy': cutNpy }));
  await assert.rejects(readImageFile(truncMember), /trunc-member\.npz: bad npz member 'train_images\.npy'.*truncated file/);
  const extra = scratchFile('extra.npz', zipSync({ 'a.npy': encodeNpy({ dtype: 'u1', shape: [1], data: new Uint8Array(1) }), 'notes.txt': strToU8('hi') }));
  await assert.rejects(readImageFile(extra), /extra\.npz: bad npz member 'notes\.txt'/);
  await assert.rejects(readImageFile(fixture('breastmnist_tiny.npz'), { array: 'nope' }), /breastmnist_tiny\.npz: no array 'nope' in the archive \(arrays: train_images, train_labels, val_images, val_labels\)/);
  const whole = readFileSync(fixture('breastmnist_tiny_compressed.npz'));
  const truncated = scratchFile('truncated.npz', whole.subarray(0, whole.length - 300));
  await assert.rejects(readImageFile(truncated), (e: unknown) => e instanceof ImageReadError && e.message.startsWith(truncated) && /corrupt or truncated \.npz/.test(e.message));
  const empty = scratchFile('empty.npz', '');
  await assert.rejects(readImageFile(empty), /empty\.npz: empty file/);
  const unknown = scratchFile('notes.bin', 'hello world');
  await assert.rejects(readImageFile(unknown), /notes\.bin: unknown image format/);
  const notZip = scratchFile('fake.npz', 'hello world');
  await assert.rejects(readImageFile(notZip), /fake\.npz: not an \.npz file/);
  await assert.rejects(readImageFile(scratchFile('x', '') + '-missing.nii'), /-missing\.nii: cannot read file/);
});
