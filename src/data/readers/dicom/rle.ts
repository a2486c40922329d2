/**
 * Decodes one DICOM RLE Lossless frame (PS3.5 Annex G) into pixel-interleaved sample values.
 * Segments come per sample and per byte, most significant byte first; `describe` names the frame in errors.
 */
export function decodeRleFrame(
  frame: Uint8Array,
  pixels: number,
  samplesPerPixel: number,
  bitsAllocated: number,
  describe: string,
): Uint32Array {
  if (frame.length < 64) throw new Error(`${describe}: RLE header needs 64 bytes, frame has ${frame.length}`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  const bytesPerSample = bitsAllocated / 8;
  if (segments !== samplesPerPixel * bytesPerSample) {
    throw new Error(`${describe}: RLE header has ${segments} segments, expected ${samplesPerPixel * bytesPerSample} (${samplesPerPixel} samples x ${bytesPerSample} bytes)`);
  }
  const out = new Uint32Array(pixels * samplesPerPixel);
  const segment = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? view.getUint32(8 + 4 * s, true) : frame.length;
    if (start < 64 || end > frame.length || end < start) throw new Error(`${describe}: RLE segment ${s + 1} offset ${start} is outside the frame`);
    unpackBits(frame.subarray(start, end), segment, `${describe}: RLE segment ${s + 1}`);
    const sample = Math.floor(s / bytesPerSample);
    const shift = 8 * (bytesPerSample - 1 - (s % bytesPerSample));
    for (let p = 0; p < pixels; p++) out[p * samplesPerPixel + sample] += segment[p] * 2 ** shift;
  }
  return out;
}

function unpackBits(src: Uint8Array, dst: Uint8Array, describe: string): void {
  let i = 0;
  let o = 0;
  while (o < dst.length && i < src.length) {
    const n = src[i++];
    if (n < 128) {
      const count = n + 1;
      if (i + count > src.length) break;
      dst.set(src.subarray(i, i + Math.min(count, dst.length - o)), o);
      i += count;
      o += count;
    } else if (n > 128) {
      const count = 257 - n;
      dst.fill(src[i++], o, Math.min(o + count, dst.length));
      o += count;
    }
    // n === 128 is a no-op by definition.
  }
  if (o < dst.length) throw new Error(`${describe}: decoded ${o} of ${dst.length} bytes (truncated segment)`);
}
