import { readFile } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { plainLayout } from './geometry.js';
import { checkDecodedSize, maxDecodedBytes } from './limits.js';
import { ImageReadError, type ImageVolume } from './types.js';

/**
 * Decodes a PNG or JPEG with sharp into [height, width, channels] (HWC, C order). Grayscale stays one
 * channel, RGB three, alpha adds one; 16-bit PNGs keep their 0..65535 values. No rescale applies.
 */
export async function parseRaster(bytes: Uint8Array, format: 'png' | 'jpeg', source = '<buffer>'): Promise<ImageVolume> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { failOn: 'error' }).metadata();
  } catch (e) {
    throw new ImageReadError(`${source}: unreadable ${format.toUpperCase()} (${e instanceof Error ? e.message : String(e)})`);
  }
  if (meta.format !== format) {
    throw new ImageReadError(`${source}: expected a ${format.toUpperCase()} but the content is ${meta.format ?? 'unknown'}`);
  }
  const sixteen = meta.depth === 'ushort';
  // The header's size, before any pixel is decoded: a few KB of PNG can declare gigabytes.
  checkDecodedSize((meta.width ?? 0) * (meta.height ?? 0) * (meta.channels ?? 4) * (sixteen ? 2 : 1), `the ${meta.width}x${meta.height} ${format.toUpperCase()}`, source);
  // Keep the file's own colour model: greyscale stays one channel (sharp would otherwise expand to sRGB).
  const grey = (meta.channels ?? 3) - (meta.hasAlpha ? 1 : 0) === 1;
  const space = grey ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb';
  let out: { data: Buffer; info: OutputInfo };
  try {
    // limitInputPixels backs the header check up inside libvips (a single-channel 8-bit bound).
    out = await sharp(bytes, { failOn: 'error', limitInputPixels: maxDecodedBytes() })
      .toColourspace(space)
      .raw({ depth: sixteen ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new ImageReadError(`${source}: corrupt or truncated ${format.toUpperCase()} (${e instanceof Error ? e.message : String(e)})`);
  }
  const { width, height, channels } = out.info;
  const count = width * height * channels;
  const data = new Float32Array(count);
  if (sixteen) {
    // sharp's raw 16-bit output is in host byte order.
    const src = new Uint16Array(new Uint8Array(out.data).buffer, 0, count);
    data.set(src);
  } else {
    data.set(out.data.subarray(0, count));
  }
  return {
    format,
    shape: [height, width, channels],
    layout: plainLayout(['y', 'x', 'c'], [height, width, channels]),
    data,
    metadata: {
      bitDepth: sixteen ? 16 : 8,
      channels,
      colourSpace: meta.space ?? 'unknown',
      hasAlpha: meta.hasAlpha ? 1 : 0,
    },
  };
}

/** Reads a PNG or JPEG file; errors name the file. */
export async function readRaster(path: string, format: 'png' | 'jpeg'): Promise<ImageVolume> {
  return parseRaster(await readFile(path), format, path);
}
