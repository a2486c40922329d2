import { readDicomSeries, readImageFile, type ImageVolume } from '../readers/index.js';
import type { Image2D, Volume } from '../types.js';
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

/**
 * A decoded image as a DHWC volume: a 3-D volume ([z, y, x]) as is with one channel, a 4-D one by its
 * first time point, and a 2-D image (plane or PNG/JPEG) as a volume one slice deep.
 */
export function imageVolumeToVolume(v: ImageVolume, source: string): Volume {
  const s = v.shape;
  if (s.length === 3 && v.format !== 'png' && v.format !== 'jpeg') return { depth: s[0], height: s[1], width: s[2], channels: 1, data: v.data };
  if (s.length === 4) {
    const [z, h, w] = s.slice(-3);
    // The first time point's volume comes first in C order.
    return { depth: z, height: h, width: w, channels: 1, data: v.data.slice(0, z * h * w) };
  }
  if (s.length === 2 || s.length === 3) {
    const img = volumeToImage2D(v, source);
    return { depth: 1, height: img.height, width: img.width, channels: img.channels, data: img.data };
  }
  throw new Error(`${source}: cannot make a 3-D volume of shape [${s.join(', ')}]`);
}

/** Decodes a subject's image files (a DICOM series is stacked first) into one volume, with the file it came from. */
async function decodeSubject(refs: readonly CatalogImage[]): Promise<{ volume: ImageVolume; source: string }> {
  const files = refs.map((r) => r.path);
  if (files.length === 1) return { volume: await readImageFile(files[0]), source: files[0] };
  const { series } = await readDicomSeries(files);
  if (series.length === 0) throw new Error(`${files[0]}: none of the subject's ${files.length} files forms a DICOM series`);
  return { volume: series[0].volume, source: series[0].files[0] };
}

/** Decodes a subject's image files (a DICOM series is stacked first) into one 2-D image. */
export async function loadSubjectImage(refs: readonly CatalogImage[]): Promise<Image2D> {
  const { volume, source } = await decodeSubject(refs);
  return volumeToImage2D(volume, source);
}

/** Decodes a subject's image files into its 2-D image (middle slice) and its whole volume, reading the files once. */
export async function loadSubjectVolume(refs: readonly CatalogImage[]): Promise<{ image: Image2D; volume: Volume }> {
  const { volume, source } = await decodeSubject(refs);
  return { image: volumeToImage2D(volume, source), volume: imageVolumeToVolume(volume, source) };
}
