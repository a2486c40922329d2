/**
 * The `dicomweb` image source of a site manifest: finds the studies of the site's subjects by
 * Patient ID over QIDO-RS, pulls them (resumably) into a download folder, and hands ingest the
 * local Part 10 files per join key.
 */
import { createHash } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ImageListing, ImageSourceContext } from '../ingest/image-listing.js';
import type { ImageSource } from '../manifest/schema.js';
import { dicomWebUrl, searchAll, searchStudies } from './client.js';
import type { DicomWebAuth, DicomWebEndpoint, QidoQuery } from './client.js';
import type { StudyRecord } from './dicom-json.js';
import { pullStudies } from './pull.js';
import type { PullProgress } from './pull.js';

/** Credentials from the environment: MEDTL_DICOMWEB_TOKEN (bearer), else MEDTL_DICOMWEB_USER + MEDTL_DICOMWEB_PASSWORD (basic). */
export function dicomWebAuthFromEnv(env: NodeJS.ProcessEnv = process.env): DicomWebAuth | undefined {
  if (env.MEDTL_DICOMWEB_TOKEN) return { bearer: env.MEDTL_DICOMWEB_TOKEN };
  if (env.MEDTL_DICOMWEB_USER) return { username: env.MEDTL_DICOMWEB_USER, password: env.MEDTL_DICOMWEB_PASSWORD ?? '' };
  return undefined;
}

// The same canonical text ingest uses for join keys (numbers as `String(Number(x))`, text trimmed),
// so a Patient ID "42.0" found for key 42 is accepted. Kept here to avoid importing ingest at run time.
function canonicalKey(s: string): string {
  const t = s.trim();
  const n = Number(t);
  return t !== '' && Number.isFinite(n) ? String(n) : t;
}

/** Options of `listDicomWebImages` beyond the manifest source and ingest context. */
export interface DicomWebSourceOptions {
  /** Overrides the endpoint settings (auth, retries, timeouts) built from the manifest and environment. */
  readonly endpoint?: Partial<DicomWebEndpoint>;
  readonly onProgress?: (progress: PullProgress) => void;
}

/**
 * Lists (after pulling) a site's DICOMweb images per join key, where the join key is the studies'
 * Patient ID (0010,0020). With `studies` in the manifest only those studies are considered; else
 * the studies a QIDO-RS search by Patient ID finds for each of `ctx.keys`. Files go to
 * `<downloadDir>/dicomweb/<site>/`; failures come back in `unmatched` with the URL and reason.
 */
export async function listDicomWebImages(
  source: ImageSource,
  ctx: ImageSourceContext,
  options: DicomWebSourceOptions = {},
): Promise<ImageListing> {
  const spec = source.dicomweb;
  if (!spec) throw new Error(`site '${ctx.siteId}': image source is not dicomweb`);
  const endpoint: DicomWebEndpoint = { url: spec.url, auth: dicomWebAuthFromEnv(), ...options.endpoint };
  const wanted = new Set(ctx.keys.map(canonicalKey));
  const studies = await findStudies(endpoint, spec.studies, ctx.keys);

  const unmatched: { file: string; reason: string }[] = [];
  const keyOfStudy = new Map<string, string>();
  for (const s of studies) {
    const key = s.patientID === undefined ? undefined : canonicalKey(s.patientID);
    if (key !== undefined && wanted.has(key)) keyOfStudy.set(s.studyInstanceUID, key);
    else if (spec.studies) {
      // The Patient ID itself is PHI and stays out of the reason.
      unmatched.push({
        file: dicomWebUrl(endpoint, `studies/${s.studyInstanceUID}`),
        reason: `study ${s.studyInstanceUID} is listed in the manifest but its Patient ID matches no record of site '${ctx.siteId}'`,
      });
    }
  }
  if (spec.studies) {
    const found = new Set(studies.map((s) => s.studyInstanceUID));
    for (const uid of spec.studies) {
      if (!found.has(uid)) unmatched.push({ file: dicomWebUrl(endpoint, `studies/${uid}`), reason: `study ${uid} is listed in the manifest but not found on the server` });
    }
  }

  const folder = join(ctx.downloadDir ?? defaultDownloadDir(spec.url), 'dicomweb', ctx.siteId);
  const byKey = new Map<string, string[]>();
  if (keyOfStudy.size > 0) {
    const pulled = await pullStudies(endpoint, { studies: [...keyOfStudy.keys()] }, folder, { onProgress: options.onProgress });
    // A subject missing any instance gets no images at all rather than a partial series.
    const broken = new Set(pulled.failures.map((f) => keyOfStudy.get(f.studyInstanceUID)));
    for (const i of pulled.instances) {
      const key = keyOfStudy.get(i.studyInstanceUID) as string;
      if (broken.has(key)) continue;
      const list = byKey.get(key) ?? [];
      list.push(i.path);
      byKey.set(key, list);
    }
    for (const f of pulled.failures) unmatched.push({ file: f.url, reason: f.message });
  }
  // Ingest looks keys up in their raw form; map back from the canonical one.
  const rawOf = new Map(ctx.keys.map((k) => [canonicalKey(k), k]));
  const out = new Map<string, string[]>();
  for (const [k, files] of byKey) out.set(rawOf.get(k) ?? k, files.sort());
  return { byKey: out, unmatched };
}

// UID lists go in the query string; batches keep the URL well under common 8 KiB limits.
const UID_BATCH = 50;
const QUERY_CONCURRENCY = 4;

/**
 * The studies to consider: the listed UIDs (in batches), or one search per join key, so a large
 * PACS is never enumerated. Keys holding QIDO wildcards (`*`, `?`) or a backslash (the DICOM
 * value separator) cannot be matched exactly and find nothing.
 */
async function findStudies(endpoint: DicomWebEndpoint, listed: readonly string[] | undefined, keys: readonly string[]): Promise<StudyRecord[]> {
  const source = dicomWebUrl(endpoint, 'studies');
  const search = (q: QidoQuery) => searchAll((p) => searchStudies(endpoint, p), { ...q, includefield: 'PatientID' }, 100, source);
  const queries: QidoQuery[] = [];
  if (listed) {
    for (let i = 0; i < listed.length; i += UID_BATCH) queries.push({ StudyInstanceUID: listed.slice(i, i + UID_BATCH) });
  } else {
    for (const k of new Set(keys)) if (k.trim() !== '' && !/[*?\\]/.test(k)) queries.push({ PatientID: k.trim() });
  }
  const found = new Map<string, StudyRecord>();
  let next = 0;
  const worker = async () => {
    while (next < queries.length) for (const s of await search(queries[next++])) found.set(s.studyInstanceUID, s);
  };
  await Promise.all(Array.from({ length: Math.min(QUERY_CONCURRENCY, queries.length) }, worker));
  return [...found.values()];
}

/**
 * Where an ingest into `workspace` keeps the DICOMweb originals it pulls: outside the workspace,
 * because they still carry PHI (ingest stores de-identified copies). MEDTL_DICOMWEB_CACHE wins;
 * else `$XDG_CACHE_HOME` (or `~/.cache`)`/medtl/dicomweb/<hash of the workspace path>`, kept
 * between runs so a re-ingest downloads nothing new.
 */
export function dicomWebDownloadDir(workspace: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.MEDTL_DICOMWEB_CACHE) return env.MEDTL_DICOMWEB_CACHE;
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'medtl', 'dicomweb', createHash('sha256').update(resolve(workspace)).digest('hex').slice(0, 16));
}

function defaultDownloadDir(url: string): string {
  return join(tmpdir(), 'medtl-dicomweb', createHash('sha256').update(url).digest('hex').slice(0, 16));
}
