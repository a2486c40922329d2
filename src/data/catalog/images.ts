import { readDicomSeries, readImageFile, type ImageVolume } from '../readers/index.js';
import type { Image2D, Volume } from '../types.js';
import type { CatalogImage } from './catalog.js';

/** The shape of a decoded image as [slices..., height, width] plus its channel count, from its layout. */
function planes(v: ImageVolume): { outer: number[]; h: number; w: number; channels: number } {
  const colour = v.layout.channelAxis !== null && v.layout.channelAxis === v.shape.length - 1;
  const s = colour ? v.shape.slice(0, -1) : v.shape;
  return { outer: s.slice(0, -2), h: s[s.length - 2], w: s[s.length - 1], channels: colour ? v.shape[v.shape.length - 1] : 1 };
}

/**
 * One 2-D image from a decoded volume, as the models take it: a plane ([y, x], or [y, x, c] with the
 * channels its layout names, e.g. PNG/JPEG and colour DICOM) as it is, a 3-D volume ([z, y, x]) by
 * its middle slice, a 4-D one by the middle slice of its first time point.
 */
export function volumeToImage2D(v: ImageVolume, source: string): Image2D {
  const { outer, h, w, channels } = planes(v);
  if (outer.length > 2 || h === undefined || w === undefined) throw new Error(`${source}: cannot make a 2-D image of shape [${v.shape.join(', ')}]`);
  if (outer.length === 0) return { height: h, width: w, channels, data: v.data };
  const plane = h * w * channels;
  // For 4-D, the first time point's volume comes first in C order, so its middle slice is at the same offset.
  const start = Math.floor(outer[outer.length - 1] / 2) * plane;
  return { height: h, width: w, channels, data: v.data.slice(start, start + plane) };
}

/**
 * A decoded image as a DHWC volume: a 3-D volume ([z, y, x], channels as its layout names them) as is,
 * a 4-D one by its first time point, and a 2-D image (plane or PNG/JPEG) as a volume one slice deep.
 */
export function imageVolumeToVolume(v: ImageVolume, source: string): Volume {
  const { outer, h, w, channels } = planes(v);
  if (outer.length > 2 || h === undefined || w === undefined) throw new Error(`${source}: cannot make a 3-D volume of shape [${v.shape.join(', ')}]`);
  if (outer.length === 0) return { depth: 1, height: h, width: w, channels, data: v.data };
  const z = outer[outer.length - 1];
  // The first time point's volume comes first in C order.
  return { depth: z, height: h, width: w, channels, data: outer.length === 1 ? v.data : v.data.slice(0, z * h * w * channels) };
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
