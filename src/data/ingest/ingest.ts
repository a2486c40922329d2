import { createHash, createHmac } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Catalog, type CatalogImage, type CatalogProvenance, type CatalogSubject } from '../catalog/catalog.js';
import { readCatalogCohort } from '../catalog/cohort.js';
import { deidentifyDicom } from '../deid/dicom.js';
import { dicomWebDownloadDir } from '../dicomweb/image-source.js';
import { createPseudonymiser, missingKeyMessage, resolveDeidKey, DeidKeyError } from '../deid/table.js';
import { toColumnSpecs } from '../manifest/cohort.js';
import { loadManifest, type LoadManifestOptions, type Manifest } from '../manifest/load.js';
import { readImageFile } from '../readers/index.js';
import type { Cohort } from '../types.js';
import { silentProgress, type ProgressReporter } from '../../util/progress.js';
import { prepareSite } from './prepare.js';
import { expandSitesFrom } from './sites-from.js';
import { assertUsableSites, linkAcrossSites, settleStrayImages } from './sites-check.js';
import { buildHarmonisationReport, type HarmonisationReport } from './report.js';
import type { PreparedSite, PreparedSubject, QuarantineItem } from './types.js';
import { maxDecodedBytes } from '../readers/limits.js';

/** Options of an ingest. */
export interface IngestOptions extends LoadManifestOptions {
  /** Workspace folder; the catalog is `<workspace>/catalog.duckdb`, de-identified images go under `<workspace>/images/`. */
  readonly workspace: string;
  /** De-identification key file; default MEDTL_DEID_KEY_FILE, then MEDTL_DEID_KEY. */
  readonly keyFile?: string;
  readonly progress?: ProgressReporter;
  /** Subjects written per transaction (default 64). */
  readonly batchSize?: number;
  /** Test hook simulating a crash: throw once this many subjects of this run have been committed. */
  readonly failAfter?: number;
  /** Test hook simulating a crash inside a transaction: throw once the records of this subject's batch are written, before their labels. */
  readonly failInside?: string;
  /** Where DICOMweb image sources keep the identified originals they pull, outside the workspace; default dicomWebDownloadDir(workspace). */
  readonly downloadDir?: string;
}

/** What happened to one site. */
export interface SiteIngestSummary {
  readonly siteId: string;
  /** ingested: written from scratch; resumed: an unfinished ingest completed; unchanged: same inputs, nothing written. */
  readonly status: 'ingested' | 'resumed' | 'unchanged';
  readonly subjects: number;
  readonly quarantined: number;
  /** Rows left out on purpose: by the site's include/exclude criteria, or linked to the same person at an earlier site. */
  readonly excluded: number;
}

/** The result of an ingest: per-site summaries, the harmonisation report and the cohort as stored. */
export interface IngestResult {
  readonly manifest: Manifest;
  readonly catalogPath: string;
  readonly sites: readonly SiteIngestSummary[];
  readonly report: HarmonisationReport;
  readonly cohort: Cohort;
}

/** Thrown by the failAfter / failInside test hooks. */
export class InjectedFailure extends Error {
  override readonly name = 'InjectedFailure';
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Days a patient's DICOM dates move: a keyed hash of the pseudonym mapped to ±1..365, fixed per patient. */
function dateShiftDays(key: Uint8Array, subject: string): number {
  const h = createHmac('sha256', Buffer.from(key)).update(`date-shift:${subject}`).digest();
  const d = (h.readUInt32BE(0) % 730) - 365;
  return d >= 0 ? d + 1 : d;
}

function isDicom(bytes: Uint8Array): boolean {
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/** The file's extension, keeping the double ones (`.nii.gz`). */
function imageExtension(file: string): string {
  const m = /(\.nii\.gz|\.[A-Za-z0-9]{1,5})$/.exec(file);
  return m ? m[1].toLowerCase() : '';
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * Ingests every site of a manifest into the workspace catalog: reads and maps the tables, applies the
 * labels, joins and de-identifies images, and writes subjects in transactions with done markers.
 * A site whose inputs are unchanged is skipped; an interrupted site resumes where it stopped.
 */
export async function ingestManifest(manifestPath: string, options: IngestOptions): Promise<IngestResult> {
  const progress = options.progress ?? silentProgress;
  // A bad decode cap would otherwise fail every image one by one and quarantine the lot.
  maxDecodedBytes();
  const manifest = await expandSitesFrom(await loadManifest(manifestPath, options));
  const key = resolveDeidKey({ keyFile: options.keyFile, env: options.env, workspace: options.workspace });
  const pseudonymise = key ? createPseudonymiser(key) : undefined;
  const keyId = key ? createHmac('sha256', key).update('medtl-key-id').digest('hex').slice(0, 16) : 'none';

  const prepared: PreparedSite[] = [];
  for (const site of manifest.sites) prepared.push(await prepareSite(site, manifest.schema, { pseudonymise, downloadDir: options.downloadDir ?? dicomWebDownloadDir(options.workspace) }));
  const linked = linkAcrossSites(settleStrayImages(prepared));
  // Before the catalog is opened: a refused manifest writes nothing.
  assertUsableSites(manifest, linked);

  const catalog = await Catalog.open(options.workspace);
  const summaries: SiteIngestSummary[] = [];
  let written = 0;
  try {
    await catalog.setSchema(toColumnSpecs(manifest.schema));
    for (const p of linked) {
      const site = p.site;
      const quarantine: QuarantineItem[] = [...p.quarantine];
      const provenance: CatalogProvenance[] = [];
      for (const f of p.sourceFiles) {
        const bytes = await readFile(f);
        provenance.push({ siteId: site.id, sourcePath: f, sha256: sha256(bytes), bytes: bytes.length, kind: 'table' });
      }
      const imageFiles = p.subjects.flatMap((s) => s.image?.files ?? []);
      const { declaredIn: _d, ...spec } = site;
      const fingerprint = sha256(
        JSON.stringify({
          spec,
          schema: manifest.schema,
          tables: provenance.map((x) => [x.sourcePath, x.sha256]),
          images: imageFiles.map((f) => {
            const st = statSync(f);
            return [f, st.size, st.mtimeMs];
          }),
          key: keyId,
          subjects: p.subjects.map((x) => x.subjectId),
          quarantine,
          excluded: p.excluded,
        }),
      );
      const existing = await catalog.site(site.id);
      if (existing?.fingerprint === fingerprint && existing.completedAt !== null) {
        progress.log(`${site.id}: unchanged since the last ingest, skipped`);
        summaries.push({ siteId: site.id, status: 'unchanged', subjects: (await catalog.subjects([site.id])).length, quarantined: (await catalog.quarantine([site.id])).length, excluded: p.excluded.length });
        continue;
      }
      const resuming = existing?.fingerprint === fingerprint;
      if (!resuming) {
        await catalog.beginSite(
          { siteId: site.id, description: site.description ?? null, manifest: manifest.path, fingerprint, missingColumns: p.missingColumns, recordedUnits: p.recordedUnits },
          provenance,
          quarantine,
        );
      }
      const done = await catalog.doneItems(site.id);
      const todo = p.subjects.filter((s) => !done.has(itemKey(s.subjectId)));
      progress.start(`ingest ${site.id}`, p.subjects.length);
      progress.update(p.subjects.length - todo.length);
      const batchSize = options.batchSize ?? 64;
      for (let i = 0; i < todo.length; i += batchSize) {
        const batch: CatalogSubject[] = [];
        for (const s of todo.slice(i, i + batchSize)) {
          const r = await subjectWithImages(s, options.workspace, key);
          if ('reason' in r) await catalog.quarantineItem({ site: site.id, item: r.item, reason: r.reason }, itemKey(s.subjectId));
          else batch.push(r);
        }
        if (options.failAfter !== undefined && written + batch.length > options.failAfter) {
          const room = options.failAfter - written;
          await catalog.addSubjects(batch.slice(0, room), (s) => itemKey(s.subjectId));
          throw new InjectedFailure(`injected failure after ${options.failAfter} subjects`);
        }
        await catalog.addSubjects(
          batch,
          (s) => itemKey(s.subjectId),
          (j) => {
            if (batch[j].subjectId === options.failInside) throw new InjectedFailure(`injected failure inside the transaction of subject ${options.failInside}`);
          },
        );
        written += batch.length;
        progress.update(p.subjects.length - todo.length + Math.min(i + batchSize, todo.length));
      }
      progress.stop();
      await catalog.completeSite(site.id);
      summaries.push({ siteId: site.id, status: resuming ? 'resumed' : 'ingested', subjects: (await catalog.subjects([site.id])).length, quarantined: (await catalog.quarantine([site.id])).length, excluded: p.excluded.length });
    }
    const siteIds = manifest.sites.map((s) => s.id);
    const cohort = await readCatalogCohort(catalog, manifest.name, siteIds);
    const tables = Object.fromEntries(prepared.map((p) => [p.site.id, p.tables]));
    const report = buildHarmonisationReport(manifest, cohort, await catalog.quarantine(siteIds), tables, linked.flatMap((p) => p.excluded));
    return { manifest, catalogPath: catalog.path, sites: summaries, report, cohort };
  } finally {
    catalog.close();
  }
}

function itemKey(subjectId: string): string {
  return `subject:${subjectId}`;
}

/** Hashes, decodes and (for DICOM) de-identifies a subject's image files; a bad file quarantines the subject. */
async function subjectWithImages(s: PreparedSubject, workspace: string, key: Buffer | undefined): Promise<CatalogSubject | { item: string; reason: string }> {
  const images: CatalogImage[] = [];
  const written: string[] = [];
  for (const [n, file] of (s.image?.files ?? []).entries()) {
    try {
      const bytes = await readFile(file);
      if (isDicom(bytes)) {
        if (!key) throw new DeidKeyError(missingKeyMessage(`the DICOM file ${file}`).replace('asks to pseudonymise PHI columns', 'must be de-identified'));
        const out = deidentifyDicom(bytes, { pseudonym: s.subjectId, dateShiftDays: dateShiftDays(key, s.subjectId), key, source: file });
        const dir = join(workspace, 'images', safeName(s.siteId), safeName(s.subjectId));
        mkdirSync(dir, { recursive: true });
        const path = join(dir, `${String(n).padStart(4, '0')}.dcm`);
        await writeFile(path, out.bytes);
        written.push(path);
        images.push({ modality: 'image', path, sha256: sha256(out.bytes), shape: (await readImageFile(path)).shape });
      } else {
        const v = await readImageFile(file);
        let path = file;
        if (s.image?.phiKey) {
          // The file name holds the PHI key: reference a copy named by the pseudonym instead.
          const dir = join(workspace, 'images', safeName(s.siteId), safeName(s.subjectId));
          mkdirSync(dir, { recursive: true });
          path = join(dir, `${String(n).padStart(4, '0')}${imageExtension(file)}`);
          await writeFile(path, bytes);
          written.push(path);
        }
        images.push({ modality: 'image', path, sha256: sha256(bytes), shape: v.shape });
      }
    } catch (e) {
      if (e instanceof DeidKeyError) throw e;
      for (const w of written) await rm(w, { force: true });
      const msg = e instanceof Error ? e.message : String(e);
      const hide = s.image?.hide ?? ((x: string) => x);
      return { item: hide(file), reason: hide(`image of subject ${s.subjectId} cannot be read: ${msg.startsWith(file) ? msg.slice(file.length).replace(/^:\s*/, '') : msg}`) };
    }
  }
  return { siteId: s.siteId, subjectId: s.subjectId, record: s.record, source: s.from, label: s.label, labelSource: s.labelSource ?? null, images, pseudonyms: s.pseudonyms ?? {}, ...(s.text !== undefined && { text: s.text }) };
}
