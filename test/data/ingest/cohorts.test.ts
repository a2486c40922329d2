import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { Catalog } from '../../../src/data/catalog/catalog.js';
import { formatHarmonisationReport, ingestManifest } from '../../../src/data/ingest/index.js';
import { loadManifest, loadManifestCohort, ManifestError } from '../../../src/data/manifest/index.js';
import { assertDisjointSubjects, stratifiedSiteSplit } from '../../../src/data/splits.js';

/** A folder with a manifest and its tables, written from text. */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-cohorts-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

/** `n` rows `id,age,dx[,extra]` numbered 1..n, labels alternating. */
function rows(n: number, extra?: (i: number) => string): string {
  return Array.from({ length: n }, (_, k) => `${k + 1},${40 + k},${k % 2}${extra ? `,${extra(k + 1)}` : ''}`).join('\n');
}

const HEAD = `schema: [{ name: age, kind: numeric, unit: years }]
defaults:
  subjectId: { column: id }
  label: { column: dx, positive: [1], negative: [0] }
`;

test('two sites that both number their patients 1..n keep every patient: identity is (site, id)', async () => {
  const dir = await folder({
    'manifest.yaml': `${HEAD}sites:\n  - { id: a, tables: [{ path: a.csv }] }\n  - { id: b, tables: [{ path: b.csv }] }\n`,
    'a.csv': `id,age,dx\n${rows(20)}\n`,
    'b.csv': `id,age,dx\n${rows(30)}\n`,
  });
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  const r = await ingestManifest(join(dir, 'manifest.yaml'), { workspace: ws });
  assert.deepEqual(r.sites.map((s) => [s.siteId, s.subjects, s.quarantined, s.excluded]), [
    ['a', 20, 0, 0],
    ['b', 30, 0, 0],
  ]);
  assert.deepEqual(r.report.quarantine, []);
  const c = await Catalog.open(ws);
  try {
    const ids = (await c.subjects()).map((s) => `${s.siteId}/${s.subjectId}`);
    assert.equal(new Set(ids).size, 50);
    assert.ok(ids.includes('a/1') && ids.includes('b/1'));
  } finally {
    c.close();
  }
  // Splits key subjects by (site, id) too: a/1 and b/1 are two subjects, each in one partition.
  const split = stratifiedSiteSplit(r.cohort.samples, { train: 0.6, val: 0.2, test: 0.2 }, 7);
  assertDisjointSubjects(split);
  assert.equal(split.train.length + split.val.length + split.test.length, 50);
});

test('subjectId.link: the same person at two sites is kept at the first, counted as a link at the second, nothing else is lost', async () => {
  const mpi = (site: string) => (i: number) => (site === 'b' && i === 3 ? 'P-a2' : site === 'b' && i === 5 ? 'P-a4' : i === 6 ? '' : `P-${site}${i}`);
  const dir = await folder({
    'manifest.yaml': `schema: [{ name: age, kind: numeric, unit: years }]
defaults:
  subjectId: { column: id, link: mpi }
  label: { column: dx, positive: [1], negative: [0] }
sites:
  - { id: a, tables: [{ path: a.csv }] }
  - { id: b, tables: [{ path: b.csv }] }
`,
    // Row 6 of each site has an empty link key: it links nothing and is kept at both sites.
    'a.csv': `id,age,dx,mpi\n${rows(6, mpi('a'))}\n`,
    'b.csv': `id,age,dx,mpi\n${rows(6, mpi('b'))}\n`,
  });
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  const r = await ingestManifest(join(dir, 'manifest.yaml'), { workspace: ws });
  assert.deepEqual(r.sites.map((s) => [s.siteId, s.subjects, s.quarantined, s.excluded]), [
    ['a', 6, 0, 0],
    ['b', 4, 0, 2],
  ]);
  assert.deepEqual(r.report.sites.map((s) => [s.id, s.linked, s.excluded]), [
    ['a', 0, 0],
    ['b', 2, 0],
  ]);
  assert.deepEqual(r.report.excluded.map((x) => [x.site, x.item.replace(`${dir}/`, ''), x.kind, x.reason]), [
    ['b', 'b.csv line 4', 'link', "subject 3 is subject 2 of site 'a' (same subjectId.link 'mpi'); kept there"],
    ['b', 'b.csv line 6', 'link', "subject 5 is subject 4 of site 'a' (same subjectId.link 'mpi'); kept there"],
  ]);
  assert.deepEqual(r.cohort.samples.filter((s) => s.siteId === 'b').map((s) => s.subjectId), ['1', '2', '4', '6']);
  assert.match(formatHarmonisationReport(r.report), /linked\s+0\s+2/);
});

test('manifest mistakes the data shows are one ManifestError naming site, key and the nearest headers; nothing is written', async () => {
  const dir = await folder({
    'manifest.yaml': `schema: [{ name: age, kind: numeric, unit: years }, { name: creat, kind: numeric }]
sites:
  - id: a
    tables: [{ path: a.csv }]
    subjectId: { column: id }
    label: { column: diagnosis, positive: [1] }
    columns: { age: { from: age_yrs }, creat: { from: Creat } }
  - { id: b, tables: [{ path: b.csv }], subjectId: { column: pid }, label: { column: dx, positive: [1] } }
`,
    'a.csv': 'id,age_years,dx,creatinine\n1,50,1,80\n2,51,0,90\n',
    'b.csv': 'id,age,dx\n1,50,1\n',
  });
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  await assert.rejects(ingestManifest(join(dir, 'manifest.yaml'), { workspace: ws }), (e: Error) => {
    assert.ok(e instanceof ManifestError, String(e));
    const lines = e.message.split('\n').slice(1).map((l) => l.replace(`${dir}/`, ''));
    assert.deepEqual(lines, [
      "  - site 'a' (manifest.yaml): label.column: no table of the site has a column 'diagnosis'; nearest headers: 'id', 'age_years', 'dx'",
      "  - site 'a' (manifest.yaml): columns.age.from: no table of the site has a column 'age_yrs'; nearest headers: 'age_years', 'id', 'dx'",
      "  - site 'a' (manifest.yaml): columns.creat.from: no table of the site has a column 'Creat'; nearest headers: 'creatinine', 'id', 'dx'",
      "  - site 'b' (manifest.yaml): subjectId.column: no table of the site has a column 'pid'; nearest headers: 'id', 'age', 'dx'",
    ]);
    return true;
  });
  assert.ok(!existsSync(join(ws, 'catalog.duckdb')), 'a refused manifest writes nothing');
});

test('a row expression reading a column no table has is one error naming the site, the key and the nearest headers', async () => {
  const dir = await folder({
    'manifest.yaml': `schema: [{ name: age, kind: numeric }]
sites:
  - { id: a, tables: [{ path: a.csv }], subjectId: { column: id }, label: { expression: 'stauts = 2 and \`time\` < 365' }, exclude: 'prior = 1' }
`,
    'a.csv': 'id,age,status,time,prior\n1,50,2,100,0\n2,60,1,400,0\n',
  });
  await assert.rejects(loadManifestCohort(join(dir, 'manifest.yaml')), (e: Error) => {
    assert.ok(e instanceof ManifestError);
    assert.deepEqual(e.message.split('\n').slice(1).map((l) => l.replace(`${dir}/`, '')), [
      "  - site 'a' (manifest.yaml): label.expression: 'stauts = 2 and `time` < 365' reads a column 'stauts' that no table of the site has; nearest headers: 'status', 'age', 'time'",
    ]);
    return true;
  });
});

test('a site left with 0 subjects is an error naming why, unless it sets allowEmpty: true', async () => {
  const manifest = (allow: string) => `${HEAD}sites:
  - { id: a, tables: [{ path: a.csv }] }
  - { id: b, tables: [{ path: b.csv }], include: 'age > 100'${allow} }
`;
  const files = { 'a.csv': `id,age,dx\n${rows(4)}\n`, 'b.csv': `id,age,dx\n${rows(5)}\n` };
  const dir = await folder({ 'manifest.yaml': manifest(''), ...files });
  await assert.rejects(loadManifestCohort(join(dir, 'manifest.yaml')), (e: Error) => {
    assert.ok(e instanceof ManifestError);
    assert.match(e.message, /site 'b' \(.*manifest\.yaml\): no subject is left: 5 rows excluded \(first: not included: age > 100\); set allowEmpty: true on the site if that is intended/);
    assert.doesNotMatch(e.message, /site 'a'/);
    return true;
  });
  const ok = await folder({ 'manifest.yaml': manifest(', allowEmpty: true'), ...files });
  const r = await loadManifestCohort(join(ok, 'manifest.yaml'));
  assert.equal(r.cohort.samples.length, 4);
  assert.equal(r.excluded.length, 5);
});

test('a FHIRPath keyword used as a column name is one error at load with a backtick hint; in backticks it works', async () => {
  const manifest = (expr: string) => `schema: [{ name: age, kind: numeric }]
sites:
  - { id: a, tables: [{ path: a.csv }], subjectId: { column: id }, label: { expression: '${expr}' } }
`;
  const dir = await folder({ 'manifest.yaml': manifest('days > 30'), 'a.csv': 'id,age,days\n1,50,10\n2,60,40\n3,70,31\n' });
  await assert.rejects(loadManifest(join(dir, 'manifest.yaml')), (e: Error) => {
    assert.ok(e instanceof ManifestError);
    assert.match(e.message, /sites\.0\.label\.expression: not a valid FHIRPath expression 'days > 30' \(column: 0; message: mismatched input 'days'\); 'days' is a FHIRPath keyword: write a column of that name in backticks, e\.g\. `days` \(site 'a'\)/);
    return true;
  });
  await writeFile(join(dir, 'manifest.yaml'), manifest('`days` > 30'));
  const r = await loadManifestCohort(join(dir, 'manifest.yaml'));
  assert.deepEqual(r.cohort.samples.map((s) => [s.subjectId, s.label]), [
    ['1', 0],
    ['2', 1],
    ['3', 1],
  ]);
  assert.deepEqual(r.quarantine, []);
});

test('include/exclude criteria: excluded rows are counted apart from quarantined ones and every row is accounted for', async () => {
  const dir = await folder({
    'manifest.yaml': `${HEAD}  include: 'nodes > 0'
  exclude: 'prior = 1'
sites:
  - { id: a, tables: [{ path: a.csv }] }
`,
    // 10 rows: 3 node-negative (not included), 2 with a prior cancer (excluded), 1 with a bad label (quarantined),
    // 1 with no node count (not included: the criterion has no value), 3 kept.
    'a.csv': ['id,age,dx,nodes,prior', '1,50,1,0,0', '2,51,0,0,0', '3,52,1,0,1', '4,53,1,2,1', '5,54,0,3,1', '6,55,x,1,0', '7,56,1,,0', '8,57,1,1,0', '9,58,0,4,0', '10,59,1,2,0'].join('\n'),
  });
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  const r = await ingestManifest(join(dir, 'manifest.yaml'), { workspace: ws });
  assert.deepEqual(r.sites.map((s) => [s.subjects, s.quarantined, s.excluded]), [[3, 1, 6]]);
  assert.deepEqual(r.cohort.samples.map((s) => s.subjectId), ['8', '9', '10']);
  assert.deepEqual(r.report.sites.map((s) => [s.subjects, s.quarantined, s.excluded, s.linked]), [[3, 1, 6, 0]]);
  assert.deepEqual(r.report.excluded.map((x) => [x.item.replace(`${dir}/`, ''), x.reason]), [
    ['a.csv line 2', 'not included: nodes > 0'],
    ['a.csv line 3', 'not included: nodes > 0'],
    ['a.csv line 4', 'not included: nodes > 0'],
    ['a.csv line 5', 'excluded: prior = 1'],
    ['a.csv line 6', 'excluded: prior = 1'],
    ['a.csv line 8', 'not included: nodes > 0 (no value)'],
  ]);
  assert.deepEqual(r.report.quarantine.map((x) => x.item.replace(`${dir}/`, '')), ['a.csv line 7']);
  assert.match(formatHarmonisationReport(r.report), /excluded\s+6\n/);
});

test('the ingest report groups quarantine by reason with counts per site', async () => {
  const dir = await folder({
    'manifest.yaml': `${HEAD}sites:\n  - { id: a, tables: [{ path: a.csv }] }\n  - { id: b, tables: [{ path: b.csv }] }\n`,
    'a.csv': 'id,age,dx\n1,50,x\n2,51,y\n3,52,1\n4,old,0\n',
    'b.csv': 'id,age,dx\n1,50,z\n2,51,0\n',
  });
  const r = await ingestManifest(join(dir, 'manifest.yaml'), { workspace: await mkdtemp(join(tmpdir(), 'medtl-ws-')) });
  assert.equal(r.report.quarantine.length, 4);
  assert.deepEqual(r.report.quarantineByReason, [
    { reason: "label column '…' has unexpected value '…' (positive: #; negative: #)", count: 3, sites: { a: 2, b: 1 } },
    { reason: "column '…' must be numeric for '…' but holds text", count: 1, sites: { a: 1 } },
  ]);
  assert.match(formatHarmonisationReport(r.report), /quarantined by reason:\n\s+3 {2}label column '…' has unexpected value '…' \(positive: #; negative: #\) {2}\(a: 2, b: 1\)/);
});

test('a semicolon-separated file without a declared delimiter is read, and the report names the delimiter detected', async () => {
  const dir = await folder({
    'manifest.yaml': `${HEAD}sites:\n  - { id: a, tables: [{ path: a.csv }] }\n`,
    'a.csv': `id;age;dx\n${rows(6).replaceAll(',', ';')}\n`,
  });
  const r = await ingestManifest(join(dir, 'manifest.yaml'), { workspace: await mkdtemp(join(tmpdir(), 'medtl-ws-')) });
  assert.deepEqual(r.sites.map((s) => [s.subjects, s.quarantined]), [[6, 0]]);
  assert.match(formatHarmonisationReport(r.report), /\[a\] .*a\.csv: delimiter ';' \(detected\)/);
});

test('one image folder shared by two sites: each matches its own records by key, only a file no site uses is quarantined, once', async () => {
  const dir = await folder({
    'manifest.yaml': `${HEAD}  images: { folder: imgs, pattern: '{key}.png' }
sites:
  - { id: a, tables: [{ path: a.csv }] }
  - { id: b, tables: [{ path: b.csv }] }
`,
    'a.csv': 'id,age,dx\na1,50,1\na2,51,0\na3,52,1\n',
    'b.csv': 'id,age,dx\nb1,60,0\nb2,61,1\n',
  });
  await mkdir(join(dir, 'imgs'));
  for (const key of ['a1', 'a2', 'a3', 'b1', 'b2', 'z9']) {
    await sharp({ create: { width: 4, height: 3, channels: 3, background: { r: 10, g: 20, b: 30 } } }).png().toFile(join(dir, 'imgs', `${key}.png`));
  }
  const r = await ingestManifest(join(dir, 'manifest.yaml'), { workspace: await mkdtemp(join(tmpdir(), 'medtl-ws-')) });
  assert.deepEqual(r.sites.map((s) => [s.siteId, s.subjects, s.quarantined]), [
    ['a', 3, 1],
    ['b', 2, 0],
  ]);
  assert.deepEqual(r.report.quarantine.map((x) => [x.site, x.item.replace(`${dir}/`, ''), x.reason]), [['a', 'imgs/z9.png', "image with join key z9 matches no record of site 'a' (nor of site 'b')"]]);
  assert.deepEqual(r.cohort.samples.map((s) => `${s.siteId}/${s.subjectId}`), ['a/a1', 'a/a2', 'a/a3', 'b/b1', 'b/b2']);
});

test('sitesFrom: one table with a hospital column becomes one site per value; rows with no value are quarantined once; every row is accounted for', async () => {
  const insts = ['3', '1', '12', '3', '', '1', '12', '12', '3', ''];
  const dir = await folder({
    'manifest.yaml': `${HEAD}sites:\n  - { id: lung, tables: [{ path: lung.csv }], sitesFrom: inst }\n  - { id: other, tables: [{ path: other.csv }] }\n`,
    'lung.csv': `id,inst,age,dx\n${insts.map((v, k) => `${k + 1},${v},${50 + k},${k % 2}`).join('\n')}\n`,
    'other.csv': `id,age,dx\n${rows(3)}\n`,
  });
  const r = await ingestManifest(join(dir, 'manifest.yaml'), { workspace: await mkdtemp(join(tmpdir(), 'medtl-ws-')) });
  assert.deepEqual(r.sites.map((s) => [s.siteId, s.subjects, s.quarantined]), [
    ['lung-1', 2, 2],
    ['lung-3', 3, 0],
    ['lung-12', 3, 0],
    ['other', 3, 0],
  ]);
  assert.deepEqual(r.cohort.samples.filter((s) => s.siteId === 'lung-12').map((s) => s.subjectId), ['3', '7', '8']);
  assert.deepEqual(r.report.quarantine.map((x) => [x.site, x.item.replace(`${dir}/`, ''), x.reason]), [
    ['lung-1', 'lung.csv line 11', "site column 'inst' (sitesFrom) is empty"],
    ['lung-1', 'lung.csv line 6', "site column 'inst' (sitesFrom) is empty"],
  ]);
  await writeFile(join(dir, 'manifest.yaml'), `${HEAD}sites:\n  - { id: lung, tables: [{ path: lung.csv }], sitesFrom: inst, phi: { inst: drop } }\n`);
  await assert.rejects(loadManifest(join(dir, 'manifest.yaml')), /sites\.0\.sitesFrom: the PHI column 'inst' cannot name sites/);
  await writeFile(join(dir, 'manifest.yaml'), `${HEAD}sites:\n  - { id: lung, tables: [{ path: lung.csv }], sitesFrom: institution }\n`);
  await assert.rejects(loadManifestCohort(join(dir, 'manifest.yaml')), /site 'lung' \(.*\): sitesFrom: no table of the site has a column 'institution'; nearest headers: 'inst', 'id', 'age'/);
});
