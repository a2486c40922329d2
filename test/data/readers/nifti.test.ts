import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { ImageReadError, parseNifti, pixelStats, readImageFile, readNifti } from '../../../src/data/readers/index.js';
import { REFERENCE, assertClose, fixture, scratchFile } from './helpers.js';

const NIFTI = ['anatomical.nii', 'functional.nii', 'S0_10slices.nii.gz', 'example4d.nii.gz'];

for (const name of NIFTI) {
  test(`NIfTI ${name}: shape, voxel size and statistics match the struct/numpy reference`, async () => {
    const ref = REFERENCE[name];
    const v = await readImageFile(fixture(name));
    assert.equal(v.format, 'nifti');
    assert.deepEqual(v.shape, ref.shape);
    assert.equal(v.data.length, ref.shape.reduce((p, d) => p * d, 1));
    assert.ok(v.spacing !== undefined);
    assert.equal(v.spacing.length, ref.shape.length);
    v.spacing.forEach((s, k) => assertClose(s, ref.spacing![k], `spacing[${k}]`, 1e-12));
    assert.equal(v.metadata.datatypeCode, ref.datatypeCode);
    assert.equal(v.metadata.byteOrder, ref.byteOrder);
    const s = pixelStats(v);
    assert.equal(s.min, ref.min);
    assert.equal(s.max, ref.max);
    assertClose(s.mean, ref.mean, 'mean');
    assert.equal(s.sha256, ref.sha256);
  });
}

test('NIfTI: the known geometry of the samples (from their SOURCE.md)', async () => {
  const anat = await readNifti(fixture('anatomical.nii'));
  assert.deepEqual(anat.shape, [25, 41, 33]); // 33x41x25 (x, y, z), big-endian
  assert.deepEqual(anat.spacing, [2, 2, 2]);
  const func = await readNifti(fixture('functional.nii'));
  assert.deepEqual(func.shape, [20, 3, 21, 17]); // 17x21x3x20
  assert.deepEqual(func.spacing, [2, 8, 4, 4]); // TR 2 s, 4x4x8 mm
  const ex = await readNifti(fixture('example4d.nii.gz'));
  assert.deepEqual(ex.shape, [2, 24, 96, 128]);
  assert.deepEqual(ex.spacing?.slice(1).map((x) => Math.round(x * 1000) / 1000), [2.2, 2, 2]);
});

test('NIfTI: scl_slope and scl_inter are applied; slope 0 means no scaling', () => {
  const bytes = new Uint8Array(readFileSync(fixture('functional.nii')));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scaled = parseNifti(bytes, 'functional.nii');
  const rawFirst = view.getInt16(352, true);
  assert.equal(scaled.data[0], Math.fround(rawFirst * view.getFloat32(112, true) + view.getFloat32(116, true)));
  view.setFloat32(112, 0, true); // slope 0: stored values as they are
  const unscaled = parseNifti(bytes, 'functional-noscale.nii');
  assert.equal(unscaled.data[0], rawFirst);
  assert.equal(unscaled.data[5], view.getInt16(352 + 10, true));
});

/** A minimal little-endian NIfTI-1 single file with dims [x, y, z], the given datatype and payload. */
function makeNifti(dims: number[], datatype: number, bitpix: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(352 + payload.length);
  const v = new DataView(out.buffer);
  v.setInt32(0, 348, true);
  v.setInt16(40, dims.length, true);
  dims.forEach((d, k) => v.setInt16(42 + 2 * k, d, true));
  for (let k = dims.length; k < 7; k++) v.setInt16(42 + 2 * k, 1, true);
  v.setInt16(70, datatype, true);
  v.setInt16(72, bitpix, true);
  for (let k = 0; k < 8; k++) v.setFloat32(76 + 4 * k, k === 0 ? 1 : 1.5, true);
  v.setFloat32(108, 352, true);
  v.setFloat32(112, 2, true); // scl_slope
  v.setFloat32(116, -1, true); // scl_inter
  out[123] = 2; // mm
  out.set([0x6e, 0x2b, 0x31, 0], 344); // "n+1\0"
  out.set(payload, 352);
  return out;
}

test('NIfTI: common datatypes decode (uint8, int8, uint16, int32, uint32, float32, float64, int64)', () => {
  const values = [0, 1, 2, 3, 4, 5, 6, 7];
  const cases: [number, number, (v: DataView, o: number, x: number) => void, number][] = [
    [2, 8, (v, o, x) => v.setUint8(o, x), 1],
    [256, 8, (v, o, x) => v.setInt8(o, -x), 1],
    [512, 16, (v, o, x) => v.setUint16(o, x * 1000, true), 2],
    [8, 32, (v, o, x) => v.setInt32(o, -x * 100000, true), 4],
    [768, 32, (v, o, x) => v.setUint32(o, x * 100000, true), 4],
    [16, 32, (v, o, x) => v.setFloat32(o, x + 0.5, true), 4],
    [64, 64, (v, o, x) => v.setFloat64(o, x - 0.25, true), 8],
    [1024, 64, (v, o, x) => v.setBigInt64(o, BigInt(-x), true), 8],
  ];
  const expected: Record<number, (x: number) => number> = {
    2: (x) => x, 256: (x) => -x, 512: (x) => x * 1000, 8: (x) => -x * 100000, 768: (x) => x * 100000,
    16: (x) => x + 0.5, 64: (x) => x - 0.25, 1024: (x) => -x,
  };
  for (const [code, bitpix, set, size] of cases) {
    const payload = new Uint8Array(values.length * size);
    const pv = new DataView(payload.buffer);
    values.forEach((x, i) => set(pv, i * size, x));
    const vol = parseNifti(makeNifti([2, 2, 2], code, bitpix, payload), `type${code}.nii`);
    assert.deepEqual(vol.shape, [2, 2, 2]);
    assert.deepEqual(vol.spacing, [1.5, 1.5, 1.5]);
    assert.deepEqual(Array.from(vol.data), values.map((x) => Math.fround(expected[code](x) * 2 - 1)), `datatype ${code}`);
  }
});

test('NIfTI: a gzipped synthetic file reads the same as the plain one', () => {
  const plain = makeNifti([4, 1, 1], 2, 8, new Uint8Array([9, 8, 7, 6]));
  const a = parseNifti(plain, 'a.nii');
  const b = parseNifti(gzipSync(plain), 'a.nii.gz');
  assert.deepEqual(Array.from(b.data), Array.from(a.data));
  assert.equal(b.metadata.compressed, 1);
});

test('NIfTI bad input: corrupt .nii.gz names the file and says the gzip stream is bad', async () => {
  const gz = new Uint8Array(readFileSync(fixture('S0_10slices.nii.gz')));
  const corrupt = new Uint8Array(gz);
  for (let i = 1000; i < 1400; i++) corrupt[i] ^= 0x5a;
  const path = scratchFile('corrupt.nii.gz', corrupt);
  await assert.rejects(readImageFile(path), (e: unknown) => e instanceof ImageReadError && e.message.startsWith(path) && /corrupt or truncated gzip/.test(e.message));
  const cut = scratchFile('cut.nii.gz', gz.subarray(0, gz.length >> 1));
  await assert.rejects(readImageFile(cut), (e: unknown) => e instanceof ImageReadError && e.message.startsWith(cut) && /gzip/.test(e.message));
});

test('NIfTI bad input: truncated .nii, short header, non-NIfTI content with a .nii name, unsupported datatype', async () => {
  const bytes = readFileSync(fixture('anatomical.nii'));
  const truncated = scratchFile('truncated.nii', bytes.subarray(0, 20000));
  await assert.rejects(readImageFile(truncated), (e: unknown) => e instanceof ImageReadError && e.message.startsWith(truncated) && /truncated NIfTI file.*need 68002 bytes.*has 20000/.test(e.message));
  const short = scratchFile('short.nii', bytes.subarray(0, 100));
  await assert.rejects(readImageFile(short), /short\.nii: truncated NIfTI file: 100 bytes/);
  const text = scratchFile('text.nii', 'this is not a NIfTI file\n'.repeat(40));
  await assert.rejects(readImageFile(text), /text\.nii: not a NIfTI-1 file/);
  const complex = makeNifti([2, 1, 1], 32, 64, new Uint8Array(16));
  assert.throws(() => parseNifti(complex, 'complex.nii'), /complex\.nii: unsupported NIfTI datatype code 32/);
});

/** makeNifti's 2x2x2 uint8 file with the given sform/qform fields written into its header. */
function niftiWithTransforms(t: { sform?: number[][]; qform?: { b: number; c: number; d: number; offset: number[]; qfac: number }; units?: number }): Uint8Array {
  const bytes = makeNifti([2, 2, 2], 2, 8, new Uint8Array(8));
  const v = new DataView(bytes.buffer);
  if (t.units !== undefined) bytes[123] = t.units;
  if (t.sform) {
    v.setInt16(254, 1, true); // sform_code: scanner anatomical
    t.sform.forEach((row, r) => row.forEach((x, k) => v.setFloat32(280 + 16 * r + 4 * k, x, true)));
  }
  if (t.qform) {
    v.setInt16(252, 1, true);
    [t.qform.b, t.qform.c, t.qform.d, ...t.qform.offset].forEach((x, k) => v.setFloat32(256 + 4 * k, x, true));
    v.setFloat32(76, t.qform.qfac, true);
  }
  return bytes;
}

test('NIfTI affine: the sform wins when sform_code > 0 and comes back exactly as written', () => {
  // float32-exact values, so the round trip is exact; the qform written alongside must be ignored.
  const sform = [
    [0, -1.5, 0, 10.5],
    [2, 0, 0.25, -20],
    [0, 0, 3, 7.75],
  ];
  const v = parseNifti(niftiWithTransforms({ sform, qform: { b: 0, c: 0, d: 0, offset: [1, 2, 3], qfac: 1 } }), 'sform.nii');
  const g = v.layout.geometry!;
  assert.equal(g.source, 'sform');
  assert.equal(g.space, 'RAS');
  assert.deepEqual(g.affine, [...sform, [0, 0, 0, 1]]);
  assert.deepEqual(g.spacing, [2, 1.5, Math.hypot(0.25, 3)]);
  assert.equal(g.axisCodes, 'ALS'); // i along +y (anterior), j along −x (left), k mostly +z (superior)
  assert.deepEqual(v.layout.axes, ['z', 'y', 'x']);
  assert.equal(v.layout.channels, 1);
  assert.equal(v.layout.channelAxis, null);
  // xyzt_units 3 (µm): the affine is given in mm.
  const um = parseNifti(niftiWithTransforms({ sform, units: 3 }), 'um.nii').layout.geometry!;
  assert.deepEqual(um.affine[0], [0, -1.5e-3, 0, 10.5e-3]);
});

test('NIfTI affine: the qform (quaternion, qfac, offset) when only qform_code > 0, else pixdim scaling', () => {
  // 90° about z: a = cos 45°, d = sin 45°; qfac −1 flips k; pixdim 1.5 (makeNifti).
  const q = parseNifti(niftiWithTransforms({ qform: { b: 0, c: 0, d: Math.SQRT1_2, offset: [4, 5, 6], qfac: -1 } }), 'qform.nii').layout.geometry!;
  assert.equal(q.source, 'qform');
  const want = [
    [0, -1.5, 0, 4],
    [1.5, 0, 0, 5],
    [0, 0, -1.5, 6],
    [0, 0, 0, 1],
  ];
  // d is stored as float32 (relative error ~6e-8), so the rotation is off by about that much.
  q.affine.forEach((row, r) => row.forEach((x, k) => assertClose(x, want[r][k], `qform affine[${r}][${k}]`, 1e-6)));
  assert.equal(q.axisCodes, 'ALI');
  const p = parseNifti(niftiWithTransforms({}), 'pixdim.nii').layout.geometry!;
  assert.equal(p.source, 'pixdim');
  assert.deepEqual(p.affine, [
    [1.5, 0, 0, 0],
    [0, 1.5, 0, 0],
    [0, 0, 1.5, 0],
    [0, 0, 0, 1],
  ]);
});

test('NIfTI affine of the samples: the srow values of the headers (read with Python struct) and their layout', async () => {
  const ex = (await readNifti(fixture('example4d.nii.gz'))).layout;
  assert.deepEqual(ex.axes, ['t', 'z', 'y', 'x']);
  const want = [
    [-2.0, 6.714715653593746e-19, 9.081024511081715e-18, 117.8551025390625],
    [-6.714715653593746e-19, 1.9737114906311035, -0.35552823543548584, -35.72294235229492],
    [8.25548088896093e-18, 0.3232076168060303, 2.171081781387329, -7.248798370361328],
    [0, 0, 0, 1],
  ];
  assert.deepEqual(ex.geometry?.affine, want);
  assert.equal(ex.geometry?.axisCodes, 'LAS');
  const anat = (await readNifti(fixture('anatomical.nii'))).layout.geometry!; // big-endian
  assert.deepEqual(anat.affine, [
    [-2, 0, 0, 32],
    [0, 2, 0, -40],
    [0, 0, 2, -16],
    [0, 0, 0, 1],
  ]);
});
