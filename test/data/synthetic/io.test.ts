import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { encodeNpy } from '../../../src/data/npy.js';
import { DEFAULT_SYNTHETIC_SITES, generateSyntheticCohort, readCohort, writeCohort } from '../../../src/data/synthetic/index.js';
import type { Cohort, Sample } from '../../../src/data/types.js';
import { parseCsv } from '../../../src/util/csv.js';

const root = await mkdtemp(join(tmpdir(), 'medtl-cohort-io-'));
after(() => rm(root, { recursive: true, force: true }));
let counter = 0;
const fresh = () => join(root, `c${counter++}`);

const small = () => generateSyntheticCohort({ seed: 11, imageSize: 32, sites: DEFAULT_SYNTHETIC_SITES.map((s) => ({ ...s, n: 30 })) });

/** Replaces a file of a written cohort and updates its checksum, so only the content validation can object. */
async function tamper(dir: string, rel: string, content: string | Uint8Array): Promise<void> {
  await writeFile(join(dir, rel), content);
  const manifestPath = join(dir, 'cohort.json');
  const m = JSON.parse(await readFile(manifestPath, 'utf8'));
  for (const site of m.sites) {
    for (const ref of [site.records, site.images]) {
      if (ref?.path === rel) {
        ref.sha256 = createHash('sha256').update(content).digest('hex');
        ref.bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
      }
    }
  }
  await writeFile(manifestPath, JSON.stringify(m));
}

test('write then read gives the same cohort: bit-identical pixels, same records, sites and generator options', async () => {
  const cohort = small();
  const dir = fresh();
  const files = await writeCohort(cohort, dir);
  assert.deepEqual(
    files.sites.map((s) => [s.siteId, s.rows]),
    DEFAULT_SYNTHETIC_SITES.map((s) => [s.id, 30]),
  );
  const back = await readCohort(dir);
  assert.deepStrictEqual(back, cohort);
  assert.deepEqual((await readdir(dir)).sort(), ['cohort.json', 'hosp_a', 'hosp_b', 'hosp_c', 'hosp_d']);
  assert.deepEqual((await readdir(join(dir, 'hosp_a'))).sort(), ['images.npy', 'records.csv']);
});

test('records.csv holds each site as recorded: its units, its columns, empty cells for missing values', async () => {
  const cohort = small();
  const dir = fresh();
  await writeCohort(cohort, dir);
  const csvB = (await readFile(join(dir, 'hosp_b', 'records.csv'), 'utf8')).split('\n');
  assert.equal(csvB[0], 'subject_id,label,age,sex,pack_years,nodule_diameter_mm,cea_ng_ml,emphysema,bmi', 'hosp_b does not record family_history');
  const csvC = parseCsv(await readFile(join(dir, 'hosp_c', 'records.csv'), 'utf8'), 'hosp_c/records.csv');
  const col = csvC.header.indexOf('nodule_diameter_mm');
  const diam = csvC.rows
    .map((r) => r[col])
    .filter((v) => v !== '')
    .map(Number);
  assert.ok(Math.max(...diam) < 3, 'hosp_c writes diameters in cm');
  assert.ok(
    csvC.rows.some((r) => r.includes('')),
    'missing values are empty cells',
  );
  const header = (await readFile(join(dir, 'hosp_a', 'images.npy'))).subarray(10, 80).toString('latin1');
  assert.match(header, /'descr': '<f4', 'fortran_order': False, 'shape': \(30, 32, 32\)/);
});

test('CSV quoting, multi-channel images, -0 and an image-free cohort round-trip exactly', async () => {
  const img = (v: number) => ({ height: 2, width: 2, channels: 3, data: new Float32Array(12).fill(v) });
  const samples: Sample[] = [
    { subjectId: 'p,1', siteId: 's1', label: 1, image: img(-0), tabular: { note: 'a "quoted", comma\nand newline', x: -0 } },
    { subjectId: ' p2', siteId: 's1', label: 0, image: img(1.5), tabular: { note: null, x: 1e-7 } },
    { subjectId: 'p3', siteId: 's2', label: 0, image: img(Number.NaN), tabular: { note: 'x\r\ny', x: null } },
  ];
  const cohort: Cohort = {
    name: 'quoting',
    sites: [{ id: 's1' }, { id: 's2', description: 'second, with comma', missingColumns: [] }],
    samples,
    tabularSchema: [
      { name: 'note', kind: 'categorical' },
      { name: 'x', kind: 'numeric', unit: 'mm' },
    ],
    imageShape: [2, 2, 3],
  };
  const dir = fresh();
  await writeCohort(cohort, dir);
  assert.deepStrictEqual(await readCohort(dir), cohort);
  const npyHeader = (await readFile(join(dir, 's1', 'images.npy'))).subarray(10, 80).toString('latin1');
  assert.match(npyHeader, /'shape': \(2, 2, 2, 3\)/, 'multi-channel images are [N,H,W,C]');
  const noImages: Cohort = { ...cohort, samples: samples.map(({ image: _image, ...rest }) => rest), imageShape: undefined };
  delete (noImages as { imageShape?: unknown }).imageShape;
  const dir2 = fresh();
  const files = await writeCohort(noImages, dir2);
  assert.equal(files.sites[0].images, undefined);
  assert.deepStrictEqual(await readCohort(dir2), noImages);
});

test('invalid cohorts are refused before anything is written', async () => {
  const base = small();
  const dir = fresh();
  const withBad = (patch: Partial<Sample>): Cohort => ({ ...base, samples: [{ ...base.samples[0], ...patch }, ...base.samples.slice(1)] });
  await assert.rejects(writeCohort(withBad({ siteId: 'nowhere' }), dir), /subject 'hosp_a-0001' belongs to unknown site 'nowhere'/);
  await assert.rejects(writeCohort(withBad({ tabular: { age: 'old' } }), dir), /numeric column 'age' holds "old"/);
  await assert.rejects(writeCohort(withBad({ tabular: { weight: 3 } }), dir), /column 'weight' is not in the schema/);
  await assert.rejects(writeCohort(withBad({ text: 'report' }), dir), /text modality is not supported/);
  await assert.rejects(
    writeCohort({ ...base, samples: [...base.samples, base.samples[0]] }, dir),
    /subject id 'hosp_a-0001' is empty or repeated/,
  );
  const b = base.samples.find((s) => s.siteId === 'hosp_b') as Sample;
  await assert.rejects(
    writeCohort({ ...base, samples: base.samples.map((s) => (s === b ? { ...s, tabular: { ...s.tabular, family_history: 1 } } : s)) }, dir),
    /column 'family_history' is listed as not recorded at the site but has a value/,
  );
  await assert.rejects(readdir(dir), /ENOENT/);
});

test('an interrupted write leaves no cohort.json, so the folder never reads as complete', async () => {
  const cohort = small();
  const dir = fresh();
  await writeCohort(cohort, dir);
  // A file where hosp_c's folder should be makes the write fail half-way through.
  await rm(join(dir, 'hosp_c'), { recursive: true });
  await writeFile(join(dir, 'hosp_c'), 'in the way');
  await assert.rejects(writeCohort(cohort, dir));
  await assert.rejects(readCohort(dir), /cohort\.json: missing \(not a cohort folder, or an interrupted write\)/);
  assert.deepEqual((await readdir(join(dir, 'hosp_a'))).sort(), ['images.npy', 'records.csv'], 'no temporary files left');
});

test('reading validates files and cells, naming the file, line and column', async () => {
  const cohort = small();
  const dir = fresh();
  await writeCohort(cohort, dir);
  const csvPath = join(dir, 'hosp_a', 'records.csv');
  const csv = await readFile(csvPath, 'utf8');
  const lines = csv.split('\n');

  await writeFile(csvPath, csv.replace('hosp_a-0002', 'hosp_a-0999'));
  await assert.rejects(readCohort(dir), new RegExp(`${csvPath}: content differs from the checksum`));

  const cols = lines[0].split(',');
  const row = lines[2].split(',');
  row[cols.indexOf('age')] = 'sixty';
  await tamper(dir, 'hosp_a/records.csv', [...lines.slice(0, 2), row.join(','), ...lines.slice(3)].join('\n'));
  await assert.rejects(readCohort(dir), new RegExp(`${csvPath}: line 3 \\(data row 2\\), column 'age': 'sixty' is not a number`));

  const row2 = lines[1].split(',');
  row2[cols.indexOf('sex')] = 'X';
  await tamper(dir, 'hosp_a/records.csv', [lines[0], row2.join(','), ...lines.slice(2)].join('\n'));
  await assert.rejects(readCohort(dir), /line 2 \(data row 1\), column 'sex': 'X' is not one of F, M/);

  await tamper(dir, 'hosp_a/records.csv', [lines[0].replace('bmi', 'weight'), ...lines.slice(1)].join('\n'));
  await assert.rejects(readCohort(dir), /header has column 'weight', which is not in the schema/);

  await tamper(dir, 'hosp_a/records.csv', [lines[0], lines[1] + ',extra', ...lines.slice(2)].join('\n'));
  await assert.rejects(readCohort(dir), /records\.csv: line 2: 11 cells, expected 10/);

  await tamper(dir, 'hosp_a/records.csv', [lines[0], lines[1], lines[1], ...lines.slice(3)].join('\n'));
  await assert.rejects(readCohort(dir), /line 3 \(data row 2\): subject_id 'hosp_a-0001' appears more than once/);

  await tamper(dir, 'hosp_a/records.csv', csv);
  await tamper(dir, 'hosp_a/images.npy', encodeNpy({ dtype: 'f4', shape: [30, 16, 16], data: new Float32Array(30 * 256) }));
  await assert.rejects(readCohort(dir), /images\.npy: shape \(30, 16, 16\), expected \(N, 32, 32\)/);
  await tamper(dir, 'hosp_a/images.npy', encodeNpy({ dtype: 'f4', shape: [29, 32, 32], data: new Float32Array(29 * 1024) }));
  await assert.rejects(readCohort(dir), /images\.npy: 29 images, but records\.csv has 30 rows/);
  await tamper(dir, 'hosp_a/images.npy', encodeNpy({ dtype: 'f8', shape: [30, 32, 32], data: new Float64Array(30 * 1024) }));
  await assert.rejects(readCohort(dir), /images\.npy: dtype 'f8', expected '<f4'/);

  const manifestPath = join(dir, 'cohort.json');
  const m = JSON.parse(await readFile(manifestPath, 'utf8'));
  m.sites[0].records.path = '../../etc/passwd';
  await writeFile(manifestPath, JSON.stringify(m));
  await assert.rejects(readCohort(dir), /file path '\.\.\/\.\.\/etc\/passwd' is not <site>\/records\.csv/);
  m.version = 99;
  await writeFile(manifestPath, JSON.stringify(m));
  await assert.rejects(readCohort(dir), /cohort\.json: invalid cohort manifest: version/);
});
