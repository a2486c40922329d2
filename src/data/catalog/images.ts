import { readDicomSeries, readImageFile, type ImageVolume } from '../readers/index.js';
import type { Image2D } from '../types.js';
import type { CatalogImage } from './catalog.js';

/**
 * One 2-D image from a decoded volume, as the models take it: [H, W] and 2-D DICOM as one channel,
 * PNG/JPEG [H, W, C] as they are, a 3-D volume ([z, y, x]) by its middle slice, a 4-D one by the
 * middle slice of its first time point.
 */
export function volumeToImage2D(v: ImageVolume, source: string): Image2D {
  const s = v.shape;
  if (s.length === 2) return { height: s[0], width: s[1], channels: 1, data: v.data };
  if (s.length === 3 && (v.format === 'png' || v.format === 'jpeg')) return { height: s[0], width: s[1], channels: s[2], data: v.data };
  if (s.length === 3 || s.length === 4) {
    const [z, h, w] = s.slice(-3);
    const plane = h * w;
    // For 4-D, the first time point's volume comes first in C order, so its middle slice is at the same offset.
    const start = Math.floor(z / 2) * plane;
    return { height: h, width: w, channels: 1, data: v.data.slice(start, start + plane) };
  }
  throw new Error(`${source}: cannot make a 2-D image of shape [${s.join(', ')}]`);
}

/** Decodes a subject's image files (a DICOM series is stacked first) into one 2-D image. */
export async function loadSubjectImage(refs: readonly CatalogImage[]): Promise<Image2D> {
  const files = refs.map((r) => r.path);
  if (files.length === 1) return volumeToImage2D(await readImageFile(files[0]), files[0]);
  const { series } = await readDicomSeries(files);
  if (series.length === 0) throw new Error(`${files[0]}: none of the subject's ${files.length} files forms a DICOM series`);
  return volumeToImage2D(series[0].volume, series[0].files[0]);
}
