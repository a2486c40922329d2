import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeNpy, NpyError, parseNpy, readNpy, writeNpy, type NpyArray } from '../../src/data/npy.js';

const dir = await mkdtemp(join(tmpdir(), 'medtl-npy-'));
after(() => rm(dir, { recursive: true, force: true }));

/** Builds a .npy file by hand, byte for byte as the format spec (and np.save) lays it out. */
function handMade(header: string, body: Uint8Array, version = 1): Uint8Array {
  const prefix = version === 1 ? 10 : 12;
  const pad = (64 - ((prefix + header.length + 1) % 64)) % 64;
  const h = header + ' '.repeat(pad) + '\n';
  const out = new Uint8Array(prefix + h.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, h.length, true);
  else view.setUint32(8, h.length, true);
  for (let i = 0; i < h.length; i++) out[prefix + i] = h.charCodeAt(i);
  out.set(body, prefix + h.length);
  return out;
}

test('round trip is bit-exact for every supported dtype and shape', async () => {
  const f32 = new Float32Array([1.5, -0, Number.NaN, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, -123.456]);
  const cases: NpyArray[] = [
    { dtype: 'f4', shape: [2, 2, 2], data: f32 },
    { dtype: 'f8', shape: [3], data: new Float64Array([Math.PI, -0, 5e-324]) },
    { dtype: 'u1', shape: [2, 3], data: Uint8Array.from([0, 1, 2, 127, 128, 255]) },
    { dtype: 'i1', shape: [2], data: Int8Array.from([-128, 127]) },
    { dtype: 'i2', shape: [2], data: Int16Array.from([-32768, 32767]) },
    { dtype: 'u2', shape: [2], data: Uint16Array.from([0, 65535]) },
    { dtype: 'i4', shape: [1, 2], data: Int32Array.from([-(2 ** 31), 2 ** 31 - 1]) },
    { dtype: 'u4', shape: [2], data: Uint32Array.from([0, 2 ** 32 - 1]) },
    { dtype: 'i8', shape: [2], data: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]) },
    { dtype: 'u8', shape: [1], data: BigUint64Array.from([2n ** 64n - 1n]) },
    { dtype: 'b1', shape: [3], data: Uint8Array.from([1, 0, 1]) },
    { dtype: 'f4', shape: [], data: new Float32Array([7]) },
    { dtype: 'f4', shape: [0, 4, 4], data: new Float32Array(0) },
  ];
  for (const [i, a] of cases.entries()) {
    const path = join(dir, `case${i}.npy`);
    await writeNpy(path, a);
    const back = await readNpy(path);
    assert.equal(back.dtype, a.dtype);
    assert.deepEqual(back.shape, a.shape);
    // Compare bytes, so NaN payloads and -0 count too.
    assert.deepEqual(
      new Uint8Array(back.data.buffer, back.data.byteOffset, back.data.byteLength),
      new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength),
      `dtype ${a.dtype} shape [${a.shape.join(',')}]`,
    );
  }
  assert.deepEqual((await readdir(dir)).filter((f) => f.includes('.tmp')), [], 'no temporary files are left behind');
});

test('writes the header NumPy writes: v1.0, 64-byte aligned, Python dict literal', () => {
  const bytes = encodeNpy({ dtype: 'f4', shape: [3, 64, 64], data: new Float32Array(3 * 64 * 64) });
  const headerLen = bytes[8] | (bytes[9] << 8);
  assert.equal((10 + headerLen) % 64, 0);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLen));
  assert.match(header, /^\{'descr': '<f4', 'fortran_order': False, 'shape': \(3, 64, 64\), \} *\n$/);
  const one = new TextDecoder().decode(encodeNpy({ dtype: 'u1', shape: [5], data: new Uint8Array(5) }).subarray(10, 74));
  assert.match(one, /'descr': '\|u1'.*'shape': \(5,\)/, 'single-byte dtypes use "|" and 1-D shapes keep the trailing comma');
});

test('reads hand-made files: v1.0, v2.0, big-endian, and a Buffer at an odd offset', () => {
  const body = new Uint8Array(new Int32Array([1, 2, 3, 4, 5, 6]).buffer);
  const v1 = parseNpy(handMade("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", body), 'v1.npy');
  assert.deepEqual([v1.dtype, v1.shape, Array.from(v1.data as Int32Array)], ['i4', [2, 3], [1, 2, 3, 4, 5, 6]]);
  const v2 = parseNpy(handMade('{"descr": "<i4", "fortran_order": False, "shape": (6,)}', body, 2), 'v2.npy');
  assert.deepEqual(Array.from(v2.data as Int32Array), [1, 2, 3, 4, 5, 6]);
  const be = new Uint8Array(8);
  new DataView(be.buffer).setFloat32(0, 1.25, false);
  new DataView(be.buffer).setFloat32(4, -2, false);
  const big = parseNpy(handMade("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", be), 'be.npy');
  assert.deepEqual(Array.from(big.data as Float32Array), [1.25, -2]);
  // Node Buffers share a pool, so the data often starts at an offset that is not 4-aligned.
  const file = handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(new Float32Array([3, 4]).buffer));
  const pooled = Buffer.concat([Buffer.from([9]), Buffer.from(file)]).subarray(1);
  assert.deepEqual(Array.from(parseNpy(pooled, 'pooled.npy').data as Float32Array), [3, 4]);
});

test('bad files fail with a clear error naming the file', async () => {
  const ok = encodeNpy({ dtype: 'f4', shape: [4, 4], data: new Float32Array(16) });
  const f4 = new Uint8Array(16 * 4);
  const cases: [string, Uint8Array, RegExp][] = [
    ['magic.npy', new TextEncoder().encode('PK\u0003\u0004 not numpy at all'), /magic\.npy: not a \.npy file/],
    ['truncated.npy', ok.subarray(0, ok.length - 5), /truncated\.npy: truncated file: shape \(4, 4\) of 'f4' needs 64 data bytes, found 59/],
    ['header-cut.npy', ok.subarray(0, 40), /header-cut\.npy: truncated file/],
    ['trailing.npy', Buffer.concat([ok, Buffer.from([0])]), /trailing\.npy: 1 unexpected bytes/],
    ['fortran.npy', handMade("{'descr': '<f4', 'fortran_order': True, 'shape': (4, 4), }", f4), /fortran\.npy: fortran_order=True .* not supported/],
    ['complex.npy', handMade("{'descr': '<c8', 'fortran_order': False, 'shape': (8,), }", f4), /complex\.npy: unsupported dtype '<c8'/],
    ['unicode.npy', handMade("{'descr': '<U4', 'fortran_order': False, 'shape': (4,), }", f4), /unicode\.npy: unsupported dtype '<U4'/],
    ['half.npy', handMade("{'descr': '<f2', 'fortran_order': False, 'shape': (32,), }", f4), /half\.npy: unsupported dtype '<f2'/],
    [
      'struct.npy',
      handMade("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (8,), }", f4),
      /struct\.npy: unsupported dtype: structured/,
    ],
    ['noshape.npy', handMade("{'descr': '<f4', 'fortran_order': False, }", f4), /noshape\.npy: header has no 'shape'/],
    ['version.npy', Uint8Array.from([...ok.subarray(0, 6), 9, 0, ...ok.subarray(8)]), /version\.npy: unsupported \.npy format version 9\.0/],
  ];
  for (const [name, bytes, re] of cases) {
    const path = join(dir, name);
    await writeFile(path, bytes);
    await assert.rejects(readNpy(path), (e: Error) => e instanceof NpyError && re.test(e.message) && e.message.startsWith(path), name);
  }
});

test('encoding refuses data that does not match its dtype or shape, and leaves the target untouched', async () => {
  assert.throws(() => encodeNpy({ dtype: 'f4', shape: [3], data: new Float64Array(3) } as unknown as NpyArray), /dtype 'f4' needs a Float32Array/);
  assert.throws(() => encodeNpy({ dtype: 'f4', shape: [2, 2], data: new Float32Array(3) }), /shape \[2, 2\] holds 4 elements, data has 3/);
  assert.throws(() => encodeNpy({ dtype: 'f4', shape: [-1], data: new Float32Array(0) }), /non-negative integers/);
  const path = join(dir, 'keep.npy');
  await writeNpy(path, { dtype: 'u1', shape: [2], data: Uint8Array.from([1, 2]) });
  const before = await readFile(path);
  await assert.rejects(writeNpy(path, { dtype: 'u1', shape: [3], data: Uint8Array.from([1, 2]) }));
  assert.deepEqual(await readFile(path), before);
});
