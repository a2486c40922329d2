import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeJpeg12, jpegFrameHeader, jpegPrecision } from '../../../src/data/readers/dicom/codecs.js';

const DIR = new URL('../../fixtures/dicom/', import.meta.url).pathname;

/** The JPEG codestream of JPGExtended.dcm's single fragment (SOI followed directly by SOF1). */
function jpgExtendedCodestream(): Uint8Array {
  const bytes = readFileSync(`${DIR}JPGExtended.dcm`);
  const at = bytes.indexOf(Buffer.from([0xff, 0xd8, 0xff, 0xc1]));
  assert.ok(at > 0, 'SOI + SOF1 in JPGExtended.dcm');
  return new Uint8Array(bytes.subarray(at));
}

test('jpegFrameHeader: JPGExtended.dcm is a 12-bit 256x1024 greyscale SOF1 codestream', () => {
  const jpeg = jpgExtendedCodestream();
  assert.deepEqual(jpegFrameHeader(jpeg), { precision: 12, height: 1024, width: 256, components: 1 });
  assert.equal(jpegPrecision(jpeg), 12);
  assert.equal(jpegFrameHeader(new Uint8Array([0xff, 0xd8, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])), undefined);
});

test('decodeJpeg12: 16-bit words in the 12-bit range, codestream size', async () => {
  const frame = await decodeJpeg12(jpgExtendedCodestream(), 0);
  assert.ok(frame.samples instanceof Uint16Array);
  assert.equal(frame.samples.length, 256 * 1024);
  assert.deepEqual([frame.width, frame.height, frame.components, frame.bitsPerSample], [256, 1024, 1, 12]);
  // pydicom + GDCM give 0..264 for this image (reference.json); dicom.test.ts checks every sample's hash.
  assert.equal(frame.samples.reduce((m, v) => Math.max(m, v), 0), 264);
});

test('decodeJpeg12: a 3-component 12-bit codestream is refused with the reason', async () => {
  const jpeg = jpgExtendedCodestream().slice();
  // SOF1 Nf byte: SOI(2) + marker(2) + length(2) + P(1) + Y(2) + X(2).
  jpeg[11] = 3;
  await assert.rejects(decodeJpeg12(jpeg, 0), /12-bit JPEG with 3 components: only greyscale/);
});
