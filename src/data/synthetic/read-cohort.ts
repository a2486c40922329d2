import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../../util/fs.js';
import { parseNpy } from '../npy.js';
import type { BinaryLabel, Cohort, ColumnSpec, Image2D, Sample, SiteInfo, TabularValue } from '../types.js';
import { COHORT_MANIFEST, manifestSchema, NUMBER, siteColumns, type FileRef } from './cohort-format.js';
import { parseCsv } from '../../util/csv.js';

async function readVerified(dir: string, ref: FileRef, manifestPath: string): Promise<Buffer> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*\/(records\.csv|images\.npy)$/.test(ref.path)) {
    throw new Error(`${manifestPath}: file path '${ref.path}' is not <site>/records.csv or <site>/images.npy`);
  }
  const path = join(dir, ref.path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}), listed in ${manifestPath}`, { cause: e });
  }
  if (bytes.length !== ref.bytes || sha256(bytes) !== ref.sha256) {
    throw new Error(`${path}: content differs from the checksum in ${manifestPath} (${bytes.length} bytes, expected ${ref.bytes}); the folder was modified or partly rewritten`);
  }
  return bytes;
}

function parseCell(cell: string, col: ColumnSpec, where: string): TabularValue {
  if (cell === '') return null;
  switch (col.kind) {
    case 'numeric':
      if (!NUMBER.test(cell)) throw new Error(`${where}, column '${col.name}': '${cell}' is not a number`);
      return Number(cell);
    case 'binary':
      if (cell !== '0' && cell !== '1') throw new Error(`${where}, column '${col.name}': '${cell}' is not 0 or 1`);
      return Number(cell);
    case 'categorical':
      if (col.categories !== undefined && !col.categories.includes(cell)) {
        throw new Error(`${where}, column '${col.name}': '${cell}' is not one of ${col.categories.join(', ')}`);
      }
      return cell;
  }
}

function parseRecords(text: string, path: string, schema: readonly ColumnSpec[], site: SiteInfo, subjects: Set<string>): Sample[] {
  const table = parseCsv(text, path);
  const expected = siteColumns(schema, site);
  const header = table.header;
  if (header[0] !== 'subject_id' || header[1] !== 'label') {
    throw new Error(`${path}: header must start with subject_id,label; found ${header.slice(0, 2).join(',')}`);
  }
  const byName = new Map(expected.map((c) => [c.name, c]));
  const seen = new Set<string>();
  for (const name of header.slice(2)) {
    if (!byName.has(name)) {
      const why = schema.some((c) => c.name === name) ? `which site '${site.id}' lists as not recorded` : 'which is not in the schema';
      throw new Error(`${path}: header has column '${name}', ${why}`);
    }
    if (seen.has(name)) throw new Error(`${path}: header repeats column '${name}'`);
    seen.add(name);
  }
  for (const c of expected) if (!seen.has(c.name)) throw new Error(`${path}: header lacks column '${c.name}'`);
  const cols = header.slice(2).map((n) => byName.get(n) as ColumnSpec);
  return table.rows.map((row, r) => {
    const where = `${path}: line ${table.lines[r]} (data row ${r + 1})`;
    const subjectId = row[0];
    if (subjectId === '') throw new Error(`${where}: empty subject_id`);
    if (subjects.has(subjectId)) throw new Error(`${where}: subject_id '${subjectId}' appears more than once in the cohort`);
    subjects.add(subjectId);
    if (row[1] !== '0' && row[1] !== '1') throw new Error(`${where}, column 'label': '${row[1]}' is not 0 or 1`);
    const tabular: Record<string, TabularValue> = {};
    // Schema order, with columns the site does not record present as null.
    for (const c of schema) tabular[c.name] = null;
    cols.forEach((c, j) => {
      tabular[c.name] = parseCell(row[j + 2], c, where);
    });
    return { subjectId, siteId: site.id, label: Number(row[1]) as BinaryLabel, tabular };
  });
}

function parseImages(bytes: Buffer, path: string, rows: number, shape: readonly [number, number, number]): Image2D[] {
  const arr = parseNpy(bytes, path);
  const [h, w, c] = shape;
  if (arr.dtype !== 'f4') throw new Error(`${path}: dtype '${arr.dtype}', expected '<f4'`);
  const okShape =
    (arr.shape.length === 3 && c === 1 && arr.shape[1] === h && arr.shape[2] === w) ||
    (arr.shape.length === 4 && arr.shape[1] === h && arr.shape[2] === w && arr.shape[3] === c);
  if (!okShape) throw new Error(`${path}: shape (${arr.shape.join(', ')}), expected (N, ${h}, ${w}${c === 1 ? '' : `, ${c}`}) per cohort.json`);
  if (arr.shape[0] !== rows) throw new Error(`${path}: ${arr.shape[0]} images, but records.csv has ${rows} rows`);
  const size = h * w * c;
  return Array.from({ length: rows }, (_, i) => ({ height: h, width: w, channels: c, data: arr.data.slice(i * size, (i + 1) * size) }));
}

/**
 * Reads a cohort written by writeCohort, exactly: same sites, schema, samples in the same order,
 * bit-identical float32 pixels. Verifies checksums and validates every cell; errors name the file,
 * line and column.
 */
export async function readCohort(dir: string): Promise<Cohort> {
  const manifestPath = join(dir, COHORT_MANIFEST);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`${manifestPath}: ${err.code === 'ENOENT' ? 'missing (not a cohort folder, or an interrupted write)' : err.message}`, { cause: e });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${manifestPath}: invalid cohort manifest: ${issues.join('; ')}`);
  }
  const m = parsed.data;
  const imageShape = m.imageShape === null ? undefined : (m.imageShape as [number, number, number]);
  const schema = m.tabularSchema as ColumnSpec[];
  const subjects = new Set<string>();
  const samples: Sample[] = [];
  for (const entry of m.sites) {
    const site = entry.info as SiteInfo;
    for (const c of site.missingColumns ?? []) {
      if (!schema.some((s) => s.name === c)) throw new Error(`${manifestPath}: site '${site.id}' lists unknown missing column '${c}'`);
    }
    const recordsPath = join(dir, entry.records.path);
    const text = (await readVerified(dir, entry.records, manifestPath)).toString('utf8');
    const parsedRows = parseRecords(text, recordsPath, schema, site, subjects);
    if (parsedRows.length !== entry.rows) throw new Error(`${recordsPath}: ${parsedRows.length} rows, cohort.json says ${entry.rows}`);
    let images: Image2D[] | undefined;
    if (imageShape !== undefined) {
      if (entry.images === undefined) throw new Error(`${manifestPath}: site '${site.id}' has no images.npy but the cohort has an imageShape`);
      images = parseImages(await readVerified(dir, entry.images, manifestPath), join(dir, entry.images.path), parsedRows.length, imageShape);
    }
    parsedRows.forEach((s, i) => {
      samples.push(images ? { subjectId: s.subjectId, siteId: s.siteId, label: s.label, image: images[i], tabular: s.tabular } : s);
    });
  }
  const cohort: Cohort & { generator?: unknown } = {
    name: m.name,
    sites: m.sites.map((e) => e.info as SiteInfo),
    samples,
    tabularSchema: schema,
    ...(imageShape ? { imageShape } : {}),
    ...(m.generator !== undefined ? { generator: m.generator } : {}),
  };
  return cohort;
}
