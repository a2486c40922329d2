import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Catalog } from '../../../src/data/catalog/catalog.js';
import { readCatalogCohort } from '../../../src/data/catalog/cohort.js';
import { formatHarmonisationReport, ingestManifest, InjectedFailure, type IngestOptions } from '../../../src/data/ingest/index.js';

const MANIFEST = 'examples/heart-disease/manifest.yaml';
const ROOT = 'test/fixtures/heart-disease';
const SITES = ['cleveland', 'hungarian', 'switzerland', 'va'];

async function dump(workspace: string): Promise<unknown> {
  const c = await Catalog.open(workspace);
  try {
    const sites = (await c.sites()).map(({ completedAt, ...s }) => ({ ...s, complete: completedAt !== null }));
    return { counts: await c.counts(), sites, subjects: await c.subjects(), quarantine: await c.quarantine(), provenance: await c.provenance(), schema: await c.schema() };
  } finally {
    c.close();
  }
}

function ingest(workspace: string, extra: Partial<IngestOptions> = {}) {
  return ingestManifest(MANIFEST, { workspace, root: ROOT, batchSize: 4, ...extra });
}

test('ingest writes every site into the catalog; a re-run is idempotent', async () => {
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ingest-'));
  const first = await ingest(ws);
  assert.deepEqual(first.sites.map((s) => [s.siteId, s.status, s.subjects, s.quarantined]), SITES.map((id) => [id, 'ingested', 10, 0]));
  const before = (await dump(ws)) as { counts: Record<string, number> };
  assert.deepEqual(before.counts, { sites: 4, subjects: 40, labels: 40, modality_refs: 0, provenance: 4, quarantine: 0, ingest_items: 40 });
  // The cohort as read back from the catalog equals the one built in memory, up to subject order.
  assert.equal(first.cohort.samples.length, 40);
  assert.deepEqual(first.report.sites.map((s) => [s.id, s.subjects, s.positives]), [
    ['cleveland', 10, 5],
    ['hungarian', 10, 0],
    ['switzerland', 10, 9],
    ['va', 10, 6],
  ]);
  const again = await ingest(ws);
  assert.deepEqual(again.sites.map((s) => s.status), ['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  assert.deepEqual(await dump(ws), before);
});

test('an interrupted ingest leaves no partial subject and resumes to the same catalog', async () => {
  const clean = await mkdtemp(join(tmpdir(), 'medtl-ingest-'));
  await ingest(clean);
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ingest-'));
  // Crash after 13 subjects: cleveland is done (10), hungarian has 3 of 10.
  await assert.rejects(ingest(ws, { failAfter: 13 }), InjectedFailure);
  const mid = (await dump(ws)) as { counts: Record<string, number>; sites: { siteId: string; complete: boolean }[] };
  assert.equal(mid.counts.subjects, 13);
  assert.equal(mid.counts.labels, 13);
  assert.deepEqual(mid.sites.map((s) => [s.siteId, s.complete]), [
    ['cleveland', true],
    ['hungarian', false],
  ]);
  const c = await Catalog.open(ws);
  await assert.rejects(readCatalogCohort(c, 'x', ['hungarian']), /the ingest of site 'hungarian' is unfinished; run medtl ingest again/);
  c.close();
  const resumed = await ingest(ws);
  assert.deepEqual(resumed.sites.map((s) => s.status), ['unchanged', 'resumed', 'ingested', 'ingested']);
  assert.deepEqual(await dump(ws), await dump(clean));
});

test('a failure inside a transaction rolls back the whole batch: no record without its label', async () => {
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ingest-'));
  // Batches of 4: cleveland-1..4 commit; the next batch (5..8) fails after its records are written and before their labels.
  await assert.rejects(ingest(ws, { failInside: 'cleveland-6' }), /injected failure inside the transaction of subject cleveland-6/);
  const mid = (await dump(ws)) as { counts: Record<string, number>; subjects: { subjectId: string }[] };
  assert.deepEqual(mid.subjects.map((s) => s.subjectId), ['cleveland-1', 'cleveland-2', 'cleveland-3', 'cleveland-4']);
  assert.equal(mid.counts.labels, 4);
  assert.equal(mid.counts.ingest_items, 4);
  const resumed = await ingest(ws);
  assert.equal(resumed.cohort.samples.length, 40);
});

test('a changed input file re-ingests only its site, leaving no stale rows', async () => {
  const root = await mkdtemp(join(tmpdir(), 'medtl-root-'));
  await cp(ROOT, root, { recursive: true });
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ingest-'));
  await ingestManifest(MANIFEST, { workspace: ws, root, batchSize: 4 });
  const va = join(root, 'processed.va.data');
  const lines = (await readFile(va, 'utf8')).trimEnd().split('\n');
  await writeFile(va, `${lines.slice(0, 7).join('\n')}\n`);
  const r = await ingestManifest(MANIFEST, { workspace: ws, root, batchSize: 4 });
  assert.deepEqual(r.sites.map((s) => [s.siteId, s.status, s.subjects]), [
    ['cleveland', 'unchanged', 10],
    ['hungarian', 'unchanged', 10],
    ['switzerland', 'unchanged', 10],
    ['va', 'ingested', 7],
  ]);
  const d = (await dump(ws)) as { counts: Record<string, number> };
  assert.equal(d.counts.subjects, 37);
  assert.equal(d.counts.ingest_items, 37);
});

test('a semicolon-separated site table without a declared delimiter is read whole, and the report names the delimiter', async () => {
  const root = await mkdtemp(join(tmpdir(), 'medtl-ingest-semi-'));
  await cp(ROOT, root, { recursive: true });
  const file = join(root, 'processed.hungarian.data');
  await writeFile(file, (await readFile(file, 'utf8')).replaceAll(',', ';'));
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ingest-'));
  const r = await ingestManifest(MANIFEST, { workspace: ws, root, batchSize: 4 });
  assert.deepEqual(r.sites.map((s) => [s.siteId, s.subjects, s.quarantined]), SITES.map((id) => [id, 10, 0]));
  const hungarian = r.report.sites.find((s) => s.id === 'hungarian');
  assert.deepEqual(hungarian?.tables, [{ source: file, delimiter: { char: ';', how: 'detected' } }]);
  const text = formatHarmonisationReport(r.report);
  assert.ok(text.includes(`[hungarian] ${file}: delimiter ';' (detected)`), text);
  assert.ok(text.includes(`[cleveland] ${join(root, 'processed.cleveland.data')}: delimiter ',' (detected)`), text);
});
