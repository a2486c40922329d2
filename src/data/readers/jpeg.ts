import { parseRaster } from './raster.js';
import type { ImageReader } from './types.js';

/** The JPEG reader by its start-of-image marker FF D8 FF; pixels as [y, x, c]. */
export const jpegReader: ImageReader = {
  name: 'jpeg',
  description: 'JPEG',
  extensions: ['.jpg', '.jpeg'],
  sniff: (bytes) => bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff,
  read: (bytes, path) => parseRaster(bytes, 'jpeg', path),
};
