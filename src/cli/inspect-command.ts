import { pixelStats, readImageFile, type ImageAxis, type ImageVolume, type PixelStats, type VolumeGeometry } from '../data/readers/index.js';

export interface InspectFlags {
  readonly json?: boolean;
  readonly array?: string;
}

/** The JSON `medtl inspect --json` prints (schema in docs/data.md, "medtl inspect"). */
export interface InspectReport {
  readonly file: string;
  readonly format: ImageVolume['format'];
  /** DICOM: the transfer syntax the pixel data was decoded from; null for other formats. */
  readonly transferSyntax: { readonly uid: string; readonly name: string } | null;
  readonly shape: number[];
  /** The axis of each entry of `shape`, slowest first (see ImageLayout). */
  readonly axes: readonly ImageAxis[];
  readonly channels: number;
  readonly spacing: number[] | null;
  /** Voxel-to-patient affine, spacing and orientation of a located volume; null where the file gives none. */
  readonly geometry: VolumeGeometry | null;
  readonly dtype: 'float32';
  readonly stats: PixelStats;
  readonly metadata: Record<string, string | number>;
}

/** Decodes one image file and summarises it. */
export async function inspectFile(file: string, flags: Pick<InspectFlags, 'array'> = {}): Promise<InspectReport> {
  const volume = await readImageFile(file, flags.array === undefined ? {} : { array: flags.array });
  return {
    file,
    format: volume.format,
    transferSyntax: volume.dicom === undefined ? null : { uid: volume.dicom.transferSyntaxUid, name: volume.dicom.transferSyntaxName },
    shape: volume.shape,
    axes: volume.layout.axes,
    channels: volume.layout.channels,
    spacing: volume.spacing ?? null,
    geometry: volume.layout.geometry ?? null,
    dtype: 'float32',
    stats: pixelStats(volume),
    metadata: volume.metadata,
  };
}

// Six significant digits: enough to compare with another tool's print of the header, short enough to align.
const num = (x: number) => String(Number(x.toPrecision(6)));

/** The geometry lines of the text report: the affine's rows, the voxel size along i, j, k and the axis codes. */
function geometryLines(g: VolumeGeometry): string[] {
  return [
    `affine:       ${g.space} mm of voxel (i, j, k) along axes (x, y, z), from ${g.source === 'dicom' ? 'ImagePositionPatient/ImageOrientationPatient/PixelSpacing' : `the ${g.source}`}`,
    ...g.affine.map((row) => `              [${row.map(num).join(', ')}]`),
    `axis spacing: [${g.spacing.map(num).join(', ')}]  (mm along i, j, k)`,
    `orientation:  ${g.axisCodes}`,
  ];
}

/** Renders the human-readable form of an inspect report. */
export function formatInspectReport(r: InspectReport): string {
  const lines = [
    `file:         ${r.file}`,
    `format:       ${r.format}`,
    ...(r.transferSyntax === null ? [] : [`transfer syntax: ${r.transferSyntax.name} (${r.transferSyntax.uid})`]),
    `shape:        [${r.shape.join(', ')}]`,
    `axes:         [${r.axes.join(', ')}]`,
    `channels:     ${r.channels}`,
    `voxel size:   ${r.spacing === null ? 'n/a' : `[${r.spacing.join(', ')}]`}`,
    ...(r.geometry === null ? [] : geometryLines(r.geometry)),
    `min:          ${r.stats.min ?? 'n/a'}`,
    `max:          ${r.stats.max ?? 'n/a'}`,
    `mean:         ${r.stats.mean ?? 'n/a'}`,
    `nan count:    ${r.stats.nanCount}`,
    `sha256:       ${r.stats.sha256}  (float32 little-endian, C order, after rescale)`,
  ];
  const width = Math.max(13, ...Object.keys(r.metadata).map((k) => k.length + 1)) + 1;
  for (const [k, v] of Object.entries(r.metadata)) lines.push(`${`${k}:`.padEnd(width)}${v}`);
  return lines.join('\n') + '\n';
}

/** `medtl inspect <file> [--json]`. */
export async function inspectAndPrint(file: string, flags: InspectFlags): Promise<void> {
  const report = await inspectFile(file, flags);
  process.stdout.write(flags.json === true ? JSON.stringify(report, null, 2) + '\n' : formatInspectReport(report));
}
