import { pixelStats, readImageFile, type ImageVolume, type PixelStats } from '../data/readers/index.js';

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
  readonly spacing: number[] | null;
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
    spacing: volume.spacing ?? null,
    dtype: 'float32',
    stats: pixelStats(volume),
    metadata: volume.metadata,
  };
}

/** Renders the human-readable form of an inspect report. */
export function formatInspectReport(r: InspectReport): string {
  const lines = [
    `file:         ${r.file}`,
    `format:       ${r.format}`,
    ...(r.transferSyntax === null ? [] : [`transfer syntax: ${r.transferSyntax.name} (${r.transferSyntax.uid})`]),
    `shape:        [${r.shape.join(', ')}]`,
    `voxel size:   ${r.spacing === null ? 'n/a' : `[${r.spacing.join(', ')}]`}`,
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
