import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageReadError, type ImageVolume } from '../types.js';
import { plainLayout, scale as scale3 } from '../geometry.js';
import { dicomGeometry, parseDicom } from './read.js';

/** One series stacked into a volume [slices, rows, cols], slices ordered along the slice normal. */
export interface DicomSeries {
  readonly seriesInstanceUid: string;
  /** The files in slice order (first = lowest position along the normal). */
  readonly files: string[];
  readonly volume: ImageVolume;
}

/** The series found, and the files left out with the reason (unreadable, not an image, or inconsistent). */
export interface DicomSeriesResult {
  readonly series: DicomSeries[];
  readonly rejected: { readonly file: string; readonly reason: string }[];
}

interface Slice {
  readonly file: string;
  readonly volume: ImageVolume;
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else if (entry.isFile() && entry.name !== 'DICOMDIR') out.push(path);
  }
  return out.sort();
}

function sliceNormal(iop: readonly number[]): [number, number, number] {
  const [r0, r1, r2, c0, c1, c2] = iop;
  return [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
}

function stack(uid: string, slices: Slice[]): DicomSeries {
  const first = slices[0].volume;
  const meta = first.dicom!;
  for (const s of slices) {
    const m = s.volume.dicom!;
    if (s.volume.shape.length !== 2) throw new ImageReadError(`${s.file}: series ${uid} mixes multi-frame or colour images (shape [${s.volume.shape.join(', ')}]) into a stack`);
    if (m.rows !== meta.rows || m.columns !== meta.columns) {
      throw new ImageReadError(`${s.file}: Rows/Columns (0028,0010/0011) ${m.rows}x${m.columns} differ from ${slices[0].file} (${meta.rows}x${meta.columns}) in series ${uid}`);
    }
  }
  const iop = meta.imageOrientationPatient;
  const positioned = iop !== undefined && slices.every((s) => s.volume.dicom!.imagePositionPatient !== undefined);
  let spacingZ = meta.sliceThickness ?? Number.NaN;
  let ordered: Slice[];
  if (positioned) {
    const n = sliceNormal(iop);
    const along = (s: Slice) => {
      const p = s.volume.dicom!.imagePositionPatient!;
      return p[0] * n[0] + p[1] * n[1] + p[2] * n[2];
    };
    ordered = [...slices].sort((a, b) => along(a) - along(b));
    for (let i = 1; i < ordered.length; i++) {
      // Coincident positions within 1 µm are the same slice twice, not a thin slab.
      if (Math.abs(along(ordered[i]) - along(ordered[i - 1])) < 1e-3) {
        throw new ImageReadError(`${ordered[i].file}: ImagePositionPatient (0020,0032) repeats that of ${ordered[i - 1].file} in series ${uid}`);
      }
    }
    if (ordered.length > 1) spacingZ = (along(ordered[ordered.length - 1]) - along(ordered[0])) / (ordered.length - 1);
  } else {
    ordered = [...slices].sort((a, b) => (a.volume.dicom!.instanceNumber ?? 0) - (b.volume.dicom!.instanceNumber ?? 0));
  }
  const plane = meta.rows * meta.columns;
  const data = new Float32Array(plane * ordered.length);
  ordered.forEach((s, i) => data.set(s.volume.data, i * plane));
  const dicom = { ...ordered[0].volume.dicom!, frames: ordered.length };
  const firstAt = ordered[0].volume.dicom!.imagePositionPatient;
  const lastAt = ordered[ordered.length - 1].volume.dicom!.imagePositionPatient;
  // k steps from one slice's position to the next (not the normal times the spacing), which keeps a gantry tilt.
  const geometry = positioned && firstAt !== undefined && lastAt !== undefined ? dicomGeometry(dicom, () => scale3([lastAt[0] - firstAt[0], lastAt[1] - firstAt[1], lastAt[2] - firstAt[2]], 1 / (ordered.length - 1))) : undefined;
  const shape = [ordered.length, meta.rows, meta.columns];
  return {
    seriesInstanceUid: uid,
    files: ordered.map((s) => s.file),
    volume: {
      format: 'dicom',
      shape,
      layout: { ...plainLayout(['z', 'y', 'x'], shape), ...(geometry === undefined ? {} : { geometry }) },
      ...(meta.pixelSpacing === undefined ? {} : { spacing: [spacingZ, ...meta.pixelSpacing] }),
      data,
      metadata: { ...ordered[0].volume.metadata, frames: ordered.length, slices: ordered.length, orderedBy: positioned ? 'ImagePositionPatient' : 'InstanceNumber' },
      dicom,
    },
  };
}

/**
 * Reads DICOM files (a folder, searched recursively, or a list of paths), groups them by
 * SeriesInstanceUID and stacks each series along its slice normal; spacing along it comes from the positions.
 */
export async function readDicomSeries(input: string | readonly string[]): Promise<DicomSeriesResult> {
  const files = typeof input === 'string' ? ((await stat(input)).isDirectory() ? await listFiles(input) : [input]) : [...input];
  const groups = new Map<string, Slice[]>();
  const rejected: { file: string; reason: string }[] = [];
  for (const file of files) {
    try {
      const volume = await parseDicom(await readFile(file), file);
      const uid = volume.dicom?.seriesInstanceUid ?? `(no SeriesInstanceUID) ${file}`;
      groups.set(uid, [...(groups.get(uid) ?? []), { file, volume }]);
    } catch (e) {
      rejected.push({ file, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  const series: DicomSeries[] = [];
  for (const [uid, slices] of groups) {
    try {
      series.push(slices.length === 1 ? { seriesInstanceUid: uid, files: [slices[0].file], volume: slices[0].volume } : stack(uid, slices));
    } catch (e) {
      for (const s of slices) rejected.push({ file: s.file, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return { series, rejected };
}
