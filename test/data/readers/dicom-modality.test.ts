import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DicomImageAttributes } from '../../../src/data/readers/dicom/meta.js';
import { storedValue, toModalityUnits, ybrFullToRgb } from '../../../src/data/readers/dicom/modality.js';
import { decodeRleFrame } from '../../../src/data/readers/dicom/rle.js';

function attrs(over: Partial<DicomImageAttributes>): DicomImageAttributes {
  return {
    rows: 1, columns: 4, frames: 1, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, highBit: 11,
    pixelRepresentation: 0, photometric: 'MONOCHROME2', planarConfiguration: 0, rescaleSlope: 1, rescaleIntercept: 0,
    ...over,
  };
}

test('storedValue: bits above HighBit are dropped, two\'s complement when signed, HighBit below the top shifts', () => {
  assert.equal(storedValue(0xf123, attrs({})), 0x123, 'overlay bits above bit 11 ignored');
  assert.equal(storedValue(0x0fff, attrs({ pixelRepresentation: 1 })), -1);
  assert.equal(storedValue(0x0800, attrs({ pixelRepresentation: 1 })), -2048);
  assert.equal(storedValue(-5, attrs({ bitsStored: 13, highBit: 12, pixelRepresentation: 1 })), -5, 'already-signed codec output');
  assert.equal(storedValue(0b1010_0000, attrs({ bitsAllocated: 8, bitsStored: 4, highBit: 7 })), 0b1010);
});

test('toModalityUnits: MONOCHROME1 inverts within the stored range before the rescale', () => {
  const raw = Float64Array.from([0, 1, 4094, 4095]);
  assert.deepEqual([...toModalityUnits(raw, 'MONOCHROME1', attrs({}))], [4095, 4094, 1, 0]);
  assert.deepEqual([...toModalityUnits(raw, 'MONOCHROME1', attrs({ rescaleSlope: 2, rescaleIntercept: -1000 }))], [7190, 7188, -998, -1000]);
  // Signed 12-bit: -2048..2047 maps onto 2047..-2048.
  const signed = Float64Array.from([0x800, 0xfff, 0, 0x7ff]);
  assert.deepEqual([...toModalityUnits(signed, 'MONOCHROME1', attrs({ pixelRepresentation: 1 }))], [2047, 0, -1, -2048]);
  assert.deepEqual([...toModalityUnits(signed, 'MONOCHROME2', attrs({ pixelRepresentation: 1, rescaleIntercept: -1024 }))], [-3072, -1025, -1024, 1023]);
});

test('YBR_FULL → RGB: grey stays grey, the primaries come back within rounding', () => {
  assert.deepEqual(ybrFullToRgb(128, 128, 128), [128, 128, 128]);
  // Y/Cb/Cr of pure red per PS3.3 C.7.6.3.1.2 (76.245, 84.972, 255.5 rounded): back to 255/0/0 within one count.
  const [r, g, b] = ybrFullToRgb(76, 85, 255);
  assert.ok(r >= 254 && g <= 1 && b <= 1, `${r},${g},${b}`);
});

test('RLE: literal and replicate runs, two byte segments, and a short segment named in the error', () => {
  // 4 pixels of 16 bits: high bytes [1,1,1,1] as a replicate run, low bytes [2,3,4,5] as a literal run.
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, 2, true);
  view.setUint32(4, 64, true);
  view.setUint32(8, 66, true);
  const frame = Uint8Array.from([...header, 256 - 3, 1, 3, 2, 3, 4, 5]);
  assert.deepEqual([...decodeRleFrame(frame, 4, 1, 16, 'f')], [0x102, 0x103, 0x104, 0x105]);
  assert.throws(() => decodeRleFrame(frame.subarray(0, 68), 4, 1, 16, 'frame 1'), /frame 1: RLE segment 2: decoded 0 of 4 bytes/);
  assert.throws(() => decodeRleFrame(frame, 4, 3, 8, 'frame 1'), /RLE header has 2 segments, expected 3/);
});
