import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import sharp from 'sharp';
import { DicomDeidError, deidentifyDicom } from '../../../src/data/deid/dicom.js';
import { parseDicomFile } from '../../../src/data/readers/dicom/parse.js';
import { parseDicom } from '../../../src/data/readers/dicom/read.js';
import { DecodeLimitError, maxDecodedBytes } from '../../../src/data/readers/limits.js';
import { parseNifti } from '../../../src/data/readers/nifti.js';
import { parseNpz } from '../../../src/data/readers/npz.js';
import { parseRaster } from '../../../src/data/readers/raster.js';
import { el, encapsulated, imageHeader, part10, u16 } from './crafted.js';

// The bombs below decode to 16-64 MiB; a 4 MiB cap refuses them all while the generators stay cheap.
const CAP_MB = '4';
let saved: string | undefined;
beforeEach(() => {
  saved = process.env.MEDTL_MAX_DECODED_MB;
  process.env.MEDTL_MAX_DECODED_MB = CAP_MB;
});
afterEach(() => {
  if (saved === undefined) delete process.env.MEDTL_MAX_DECODED_MB;
  else process.env.MEDTL_MAX_DECODED_MB = saved;
});

function fast<T>(what: string, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  // Each refusal reads a header or stops an inflate at 4 MiB; 2 s leaves room for a loaded shared machine.
  assert.ok(performance.now() - t0 < 2000, `${what} took ${performance.now() - t0} ms`);
  return out;
}

test('an implicit-VR pixel data length of 0x7FFFFFFF in a 7 KB file is refused, naming the file and the tag', () => {
  const file = part10('1.2.840.10008.1.2', Buffer.concat([imageHeader(64, 64, 1, false), el(0x7fe0, 0x0010, 'OB', Buffer.alloc(7000), false, 0x7fffffff)]));
  assert.ok(file.length < 8000);
  const message = /^overrun\.dcm: element \(7FE0,0010\) at byte \d+ declares a length of 2147483647 bytes but only 7000 remain in the file$/;
  fast('parse', () => assert.throws(() => parseDicomFile(file, 'overrun.dcm'), (e: unknown) => e instanceof Error && message.test(e.message)));
  fast('deid', () => assert.throws(() => deidentifyDicom(file, { pseudonym: 'S1', dateShiftDays: 1, key: 'k'.repeat(16), source: 'overrun.dcm' }), (e: unknown) => e instanceof DicomDeidError && message.test(e.message)));
});

test('a deflated data set that inflates past the cap stops at the cap and names the file', () => {
  const body = Buffer.concat([imageHeader(4096, 4096, 1), el(0x7fe0, 0x0010, 'OB', Buffer.alloc(4096 * 4096))]);
  const file = part10('1.2.840.10008.1.2.1.99', deflateRawSync(body, { level: 9 }));
  assert.ok(file.length < 64 * 1024, `bomb is ${file.length} bytes`);
  fast('inflate', () => assert.throws(() => parseDicomFile(file, 'deflate-bomb.dcm'), (e: unknown) => {
    assert.ok(e instanceof DecodeLimitError);
    assert.match(e.message, /^deflate-bomb\.dcm: the deflated data set inflates to more than 4\.0 MiB, the limit \(MEDTL_MAX_DECODED_MB\); decoding stopped$/);
    return true;
  }));
});

test('RLE and JPEG-lossless pixel data whose header declares more than the cap are refused before decoding', async () => {
  // An RLE header with one segment: enough for the decoder to fill a 16 MiB frame from a few bytes.
  const rle = Buffer.alloc(80);
  rle.writeUInt32LE(1, 0);
  rle.writeUInt32LE(64, 4);
  for (const [ts, name] of [['1.2.840.10008.1.2.5', 'rle'], ['1.2.840.10008.1.2.4.70', 'jpeg-lossless']]) {
    const file = part10(ts, Buffer.concat([imageHeader(4096, 4096, 1), encapsulated(rle)]));
    const t0 = performance.now();
    await assert.rejects(parseDicom(file, `${name}.dcm`), (e: unknown) => {
      assert.ok(e instanceof DecodeLimitError, String(e));
      assert.match(e.message, new RegExp(`^${name}\\.dcm: Pixel Data \\(7FE0,0010\\) of 1 frame\\(s\\) of 4096x4096x1 at 8 bits would decode to 16\\.0 MiB, over the limit of 4\\.0 MiB`));
      return true;
    });
    assert.ok(performance.now() - t0 < 2000);
  }
});

test('a JPEG codestream that declares a larger frame than the DICOM header is refused before decoding', async () => {
  // SOI, then SOF3 (lossless) declaring 8 bits, 60000 x 60000, 1 component.
  const sof = Buffer.from([0xff, 0xd8, 0xff, 0xc3, 0x00, 0x0b, 0x08, 0xea, 0x60, 0xea, 0x60, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9]);
  const file = part10('1.2.840.10008.1.2.4.70', Buffer.concat([imageHeader(64, 64, 1), encapsulated(Buffer.concat([sof, Buffer.alloc(1)]))]));
  await assert.rejects(parseDicom(file, 'sof.dcm'), /^ImageReadError: sof\.dcm: frame 1 of \(7FE0,0010\): codestream declares 60000x60000x1, header says 64x64x1; not decoded$/);
});

test('a .nii.gz bomb stops inflating at the cap', () => {
  const bomb = gzipSync(Buffer.alloc(64 * 2 ** 20), { level: 9 });
  assert.ok(bomb.length < 128 * 1024, `bomb is ${bomb.length} bytes`);
  fast('gunzip', () => assert.throws(() => parseNifti(bomb, 'bomb.nii.gz'), /^DecodeLimitError|^ImageReadError: bomb\.nii\.gz: the gzip stream of the \.nii\.gz inflates to more than 4\.0 MiB/));
});

test('a PNG whose header declares more than the cap is refused from its header', async () => {
  const png = await sharp({ create: { width: 4096, height: 4096, channels: 3, background: { r: 0, g: 0, b: 0 } } }).png({ compressionLevel: 9 }).toBuffer();
  assert.ok(png.length < 256 * 1024, `bomb is ${png.length} bytes`);
  const t0 = performance.now();
  await assert.rejects(parseRaster(png, 'png', 'bomb.png'), (e: unknown) => {
    assert.ok(e instanceof DecodeLimitError);
    assert.match(e.message, /^bomb\.png: the 4096x4096 PNG would decode to 48\.0 MiB, over the limit of 4\.0 MiB \(MEDTL_MAX_DECODED_MB\)$/);
    return true;
  });
  assert.ok(performance.now() - t0 < 2000);
});

test('MEDTL_MAX_DECODED_MB: default 1024 MiB, bad values named', () => {
  assert.equal(maxDecodedBytes({}), 1024 * 2 ** 20);
  assert.equal(maxDecodedBytes({ MEDTL_MAX_DECODED_MB: '0.5' }), 2 ** 19);
  assert.throws(() => maxDecodedBytes({ MEDTL_MAX_DECODED_MB: 'lots' }), /MEDTL_MAX_DECODED_MB must be a positive number of MiB, got 'lots'/);
});

test('sequences nested thousands deep are refused with a named reason, not "[object Object]"', () => {
  const open = Buffer.concat([u16(0x0040), u16(0x0275), Buffer.from('SQ'), Buffer.alloc(2), Buffer.from([0xff, 0xff, 0xff, 0xff]), u16(0xfffe), u16(0xe000), Buffer.from([0xff, 0xff, 0xff, 0xff])]);
  const file = part10('1.2.840.10008.1.2.1', Buffer.concat([imageHeader(2, 2, 1), Buffer.concat(Array<Buffer>(5000).fill(open))]));
  const message = /^nested\.dcm: malformed or truncated DICOM: sequences nested too deeply to parse \(stack overflow\), after tag \(0028,0103\)$/;
  fast('parse', () => assert.throws(() => parseDicomFile(file, 'nested.dcm'), (e: unknown) => e instanceof Error && message.test(e.message)));
  fast('deid', () => assert.throws(() => deidentifyDicom(file, { pseudonym: 'S1', dateShiftDays: 1, key: 'k'.repeat(16), source: 'nested.dcm' }), (e: unknown) => e instanceof DicomDeidError && message.test(e.message)));
});

test('an .npz whose members declare more than the cap is refused before any is inflated', () => {
  const bomb = zipSync({ 'x.npy': new Uint8Array(16 * 2 ** 20) }, { level: 9 });
  assert.ok(bomb.length < 64 * 1024, `bomb is ${bomb.length} bytes`);
  fast('unzip', () => assert.throws(() => parseNpz(bomb, 'bomb.npz'), (e: unknown) => {
    assert.ok(e instanceof DecodeLimitError, String(e));
    assert.match(e.message, /^bomb\.npz: the \.npz members up to 'x\.npy' would decode to 16\.0 MiB, over the limit of 4\.0 MiB/);
    return true;
  }));
});
