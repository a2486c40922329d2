import { parseRaster } from './raster.js';
import type { ImageReader } from './types.js';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The PNG reader (8- and 16-bit, grey, RGB, alpha) by its 8-byte signature; pixels as [y, x, c]. */
export const pngReader: ImageReader = {
  name: 'png',
  description: 'PNG',
  extensions: ['.png'],
  sniff: (bytes) => bytes.length >= SIGNATURE.length && SIGNATURE.every((b, i) => bytes[i] === b),
  read: (bytes, path) => parseRaster(bytes, 'png', path),
};
