import { pixelStats, readImageFile, type ImageVolume, type PixelStats } from '../data/readers/index.js';

export interface InspectFlags {
  readonly json?: boolean;
  readonly array?: string;
}

/** The JSON `medtl inspect --json` prints (schema in docs/data.md, "medtl inspect"). */
export interface InspectReport {
  readonly file: string;
  readonly format: ImageVolume['format'];
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
    `shape:        [${r.shape.join(', ')}]`,
    `voxel size:   ${r.spacing === null ? 'n/a' : `[${r.spacing.join(', ')}]`}`,
    `min:          ${r.stats.min ?? 'n/a'}`,
    `max:          ${r.stats.max ?? 'n/a'}`,
    `mean:         ${r.stats.mean ?? 'n/a'}`,
    `nan count:    ${r.stats.nanCount}`,
    `sha256:       ${r.stats.sha256}  (float32 little-endian, C order, after rescale)`,
  ];
  for (const [k, v] of Object.entries(r.metadata)) lines.push(`${`${k}:`.padEnd(14)}${v}`);
  return lines.join('\n') + '\n';
}

/** `medtl inspect <file> [--json]`. */
export async function inspectAndPrint(file: string, flags: InspectFlags): Promise<void> {
  const report = await inspectFile(file, flags);
  process.stdout.write(flags.json === true ? JSON.stringify(report, null, 2) + '\n' : formatInspectReport(report));
}
