import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256, writeFileAtomic } from '../../util/fs.js';
import { encodeNpy } from '../npy.js';
import type { Cohort, ColumnSpec, Sample, SiteInfo, TabularValue } from '../types.js';
import { COHORT_MANIFEST, FORMAT, FORMAT_VERSION, SITE_ID, siteColumns, type Manifest, type WithGenerator } from './cohort-format.js';
import { formatCsv } from '../../util/csv.js';

/** Paths of what writeCohort wrote (absolute or relative as `dir` was given). */
export interface CohortFiles {
  readonly dir: string;
  /** cohort.json: schema, sites, file checksums and generator options. */
  readonly manifest: string;
  readonly sites: readonly { readonly siteId: string; readonly rows: number; readonly records: string; readonly images?: string }[];
}

function formatCell(value: TabularValue | undefined, col: ColumnSpec, where: string): string {
  if (value === null || value === undefined) return '';
  if (col.kind === 'categorical') {
    if (typeof value !== 'string') throw new Error(`${where}: categorical column '${col.name}' holds ${JSON.stringify(value)}, not a string`);
    if (value === '') throw new Error(`${where}: categorical column '${col.name}' holds an empty string (it would read back as missing)`);
    return value;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${where}: ${col.kind} column '${col.name}' holds ${JSON.stringify(value)}, not a finite number`);
  }
  if (col.kind === 'binary' && value !== 0 && value !== 1) throw new Error(`${where}: binary column '${col.name}' holds ${value}`);
  // String(-0) is "0"; keep the sign so the round trip is exact.
  return Object.is(value, -0) ? '-0' : String(value);
}

/** The SiteInfo fields the format stores, without undefined keys (so JSON round trips compare equal). */
function siteInfoOf(s: SiteInfo): Manifest['sites'][number]['info'] {
  return {
    id: s.id,
    ...(s.description !== undefined ? { description: s.description } : {}),
    ...(s.missingColumns !== undefined ? { missingColumns: [...s.missingColumns] } : {}),
    ...(s.recordedUnits !== undefined ? { recordedUnits: { ...s.recordedUnits } } : {}),
  };
}

/** The ColumnSpec fields the format stores, without undefined keys. */
function columnSpecOf(c: ColumnSpec): Manifest['tabularSchema'][number] {
  return {
    name: c.name,
    kind: c.kind,
    ...(c.unit !== undefined ? { unit: c.unit } : {}),
    ...(c.categories !== undefined ? { categories: [...c.categories] } : {}),
    ...(c.description !== undefined ? { description: c.description } : {}),
  };
}

function encodeSite(cohort: Cohort, site: SiteInfo, samples: readonly Sample[]): { csv: string; npy?: Uint8Array } {
  const columns = siteColumns(cohort.tabularSchema, site);
  const known = new Set(cohort.tabularSchema.map((c) => c.name));
  const rows: string[][] = [['subject_id', 'label', ...columns.map((c) => c.name)]];
  for (const s of samples) {
    const where = `writeCohort: subject '${s.subjectId}' at site '${site.id}'`;
    if (s.text !== undefined) throw new Error(`${where}: the text modality is not supported by the cohort file format`);
    const record = s.tabular ?? {};
    for (const key of Object.keys(record)) if (!known.has(key)) throw new Error(`${where}: column '${key}' is not in the schema`);
    for (const c of site.missingColumns ?? []) {
      if (record[c] !== null && record[c] !== undefined) throw new Error(`${where}: column '${c}' is listed as not recorded at the site but has a value`);
    }
    rows.push([s.subjectId, String(s.label), ...columns.map((c) => formatCell(record[c.name], c, where))]);
  }
  if (cohort.imageShape === undefined) return { csv: formatCsv(rows) };
  const [h, w, ch] = cohort.imageShape;
  const size = h * w * ch;
  const pixels = new Float32Array(samples.length * size);
  samples.forEach((s, i) => {
    const img = s.image;
    if (img === undefined) throw new Error(`writeCohort: subject '${s.subjectId}' has no image, but the cohort has an imageShape`);
    if (img.height !== h || img.width !== w || img.channels !== ch || img.data.length !== size) {
      throw new Error(`writeCohort: subject '${s.subjectId}' has a ${img.height}x${img.width}x${img.channels} image, cohort imageShape is ${h}x${w}x${ch}`);
    }
    pixels.set(img.data, i * size);
  });
  const shape = ch === 1 ? [samples.length, h, w] : [samples.length, h, w, ch];
  return { csv: formatCsv(rows), npy: encodeNpy({ dtype: 'f4', shape, data: pixels }) };
}

/**
 * Writes a cohort to a folder: per site `<site>/records.csv` (subject_id, label, then the columns the
 * site records, in its units; missing = empty cell) and `<site>/images.npy` ('<f4', [N,H,W] or
 * [N,H,W,C], rows in CSV order), then `cohort.json` (schema, sites, checksums, generator options).
 * Every file is written atomically, and cohort.json is removed first and written last, so an
 * interrupted write never leaves a folder that reads as a complete cohort.
 */
export async function writeCohort(cohort: Cohort, dir: string): Promise<CohortFiles> {
  const ids = new Set<string>();
  for (const s of cohort.sites) {
    if (!SITE_ID.test(s.id)) throw new Error(`writeCohort: site id '${s.id}' must match ${SITE_ID} (it names a folder)`);
    if (ids.has(s.id)) throw new Error(`writeCohort: duplicate site id '${s.id}'`);
    ids.add(s.id);
  }
  const bySite = new Map(cohort.sites.map((s) => [s.id, [] as Sample[]]));
  const subjects = new Set<string>();
  for (const s of cohort.samples) {
    const list = bySite.get(s.siteId);
    if (list === undefined) throw new Error(`writeCohort: subject '${s.subjectId}' belongs to unknown site '${s.siteId}'`);
    if (s.subjectId === '' || subjects.has(s.subjectId)) throw new Error(`writeCohort: subject id '${s.subjectId}' is empty or repeated`);
    subjects.add(s.subjectId);
    list.push(s);
  }
  if (cohort.imageShape === undefined && cohort.samples.some((s) => s.image !== undefined)) {
    throw new Error('writeCohort: samples carry images but the cohort has no imageShape');
  }
  // Encode everything before touching the disk, so invalid input leaves the folder as it was.
  const encoded = cohort.sites.map((s) => ({ site: s, samples: bySite.get(s.id) ?? [], ...encodeSite(cohort, s, bySite.get(s.id) ?? []) }));
  const manifestPath = join(dir, COHORT_MANIFEST);
  await mkdir(dir, { recursive: true });
  await rm(manifestPath, { force: true });
  const entries: Manifest['sites'] = [];
  const files: CohortFiles['sites'][number][] = [];
  for (const e of encoded) {
    await mkdir(join(dir, e.site.id), { recursive: true });
    const records = `${e.site.id}/records.csv`;
    await writeFileAtomic(join(dir, records), e.csv);
    const entry: Manifest['sites'][number] = {
      info: siteInfoOf(e.site),
      rows: e.samples.length,
      records: { path: records, sha256: sha256(e.csv), bytes: Buffer.byteLength(e.csv) },
    };
    let imagesPath: string | undefined;
    if (e.npy !== undefined) {
      const images = `${e.site.id}/images.npy`;
      await writeFileAtomic(join(dir, images), e.npy);
      entry.images = { path: images, sha256: sha256(e.npy), bytes: e.npy.byteLength };
      imagesPath = join(dir, images);
    }
    entries.push(entry);
    files.push({ siteId: e.site.id, rows: e.samples.length, records: join(dir, records), ...(imagesPath ? { images: imagesPath } : {}) });
  }
  const generator = (cohort as Cohort & WithGenerator).generator;
  const manifest: Manifest = {
    format: FORMAT,
    version: FORMAT_VERSION,
    name: cohort.name,
    tabularSchema: cohort.tabularSchema.map(columnSpecOf),
    imageShape: cohort.imageShape ? [...cohort.imageShape] : null,
    sites: entries,
    ...(generator ? { generator: generator as unknown as Record<string, unknown> } : {}),
  };
  await writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest: manifestPath, sites: files };
}

