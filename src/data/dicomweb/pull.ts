/**
 * Pulls whole studies from a DICOMweb service into a folder of Part 10 files named by SOP Instance
 * UID. Resumable: a ledger beside the files records each finished instance's size and sha256, and
 * an instance whose file still matches is not fetched again. A failed instance is reported and
 * the rest carry on.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import { DicomWebError, dicomWebUrl, retrieveInstance, searchAll, searchInstances, searchStudies } from './client.js';
import type { DicomWebEndpoint, QidoQuery, RetrieveOptions } from './client.js';
import type { InstanceRecord } from './dicom-json.js';

/** Which studies to pull: an explicit list of Study Instance UIDs, or a QIDO-RS study filter (not both). */
export interface PullQuery {
  readonly studies?: readonly string[];
  /** QIDO-RS study-level matching, e.g. `{ PatientID: '123', StudyDate: '20240101-20241231', ModalitiesInStudy: 'CT' }`. */
  readonly match?: QidoQuery;
}

/** One instance that is now on disk. */
export interface PulledInstance {
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string;
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** `downloaded` in this pull, or `skipped` because a previous pull left a matching file. */
  readonly status: 'downloaded' | 'skipped';
}

/** A study or instance that could not be pulled, and why. */
export interface PullFailure {
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID?: string;
  readonly sopInstanceUID?: string;
  readonly url: string;
  readonly status?: number;
  readonly message: string;
}

/** Progress after each instance (finished, skipped or failed). */
export interface PullProgress {
  readonly done: number;
  readonly total: number;
  readonly instance?: PulledInstance;
  readonly failure?: PullFailure;
}

/** Options of `pullStudies`. */
export interface PullOptions extends RetrieveOptions {
  readonly onProgress?: (progress: PullProgress) => void;
  /** Instances fetched at the same time; default 2. */
  readonly concurrency?: number;
  /** QIDO page size; default 100. */
  readonly pageSize?: number;
}

/** What a pull did: every instance on disk, every failure, and counts. */
export interface PullResult {
  readonly url: string;
  readonly folder: string;
  readonly studies: string[];
  readonly instances: PulledInstance[];
  readonly failures: PullFailure[];
  readonly downloaded: number;
  readonly skipped: number;
  readonly bytesDownloaded: number;
}

/** The ledger file a pull keeps in its destination folder (one JSON line per finished instance). */
export const PULL_LEDGER = '.dicomweb-pull.ndjson';

interface LedgerEntry {
  sopInstanceUID: string;
  size: number;
  sha256: string;
}

// A UID is digits and dots, at most 64 characters (PS3.5 §9.1); anything else must not become a file name.
const UID = /^[0-9]+(\.[0-9]+)*$/;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function readLedger(path: string): Promise<Map<string, LedgerEntry>> {
  const map = new Map<string, LedgerEntry>();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return map;
  }
  for (const line of text.split('\n')) {
    // A line cut short by a crash is ignored; its instance is simply fetched again.
    try {
      const e = JSON.parse(line) as Partial<LedgerEntry>;
      if (typeof e.sopInstanceUID === 'string' && typeof e.size === 'number' && typeof e.sha256 === 'string') {
        map.set(e.sopInstanceUID, { sopInstanceUID: e.sopInstanceUID, size: e.size, sha256: e.sha256 });
      }
    } catch {
      continue;
    }
  }
  return map;
}

async function matchesLedger(path: string, entry: LedgerEntry | undefined): Promise<boolean> {
  if (!entry) return false;
  try {
    if ((await stat(path)).size !== entry.size) return false;
    return sha256(await readFile(path)) === entry.sha256;
  } catch {
    return false;
  }
}

function failureOf(e: unknown, where: Omit<PullFailure, 'message' | 'url' | 'status'>, url: string): PullFailure {
  if (e instanceof DicomWebError) return { ...where, url: e.url || url, status: e.status, message: e.message };
  return { ...where, url, message: `${url}: ${(e as Error).message}` };
}

/** Checks that bytes are a Part 10 file of the expected instance; returns a reason when not. */
function part10Problem(bytes: Uint8Array, sopInstanceUID: string): string | undefined {
  let found: string | undefined;
  try {
    found = dicomParser.readPart10Header(bytes).string('x00020003')?.replace(/\0+$/, '').trim();
  } catch (e) {
    return `not a DICOM Part 10 file (${String((e as Error).message ?? e)})`;
  }
  if (found !== sopInstanceUID) return `the file's Media Storage SOP Instance UID (0002,0003) is ${JSON.stringify(found ?? '')}, not ${sopInstanceUID}`;
  return undefined;
}

/** retrieveInstance, tried again (up to the endpoint's retries) when a response body is cut off mid-way. */
async function retrieveWithRetry(
  endpoint: DicomWebEndpoint,
  ids: { studyInstanceUID: string; seriesInstanceUID: string; sopInstanceUID: string },
  options: RetrieveOptions,
): Promise<Uint8Array> {
  let delay = endpoint.retryDelayMs ?? 250;
  for (let attempt = 0; ; attempt++) {
    try {
      return await retrieveInstance(endpoint, ids, options);
    } catch (e) {
      if (!(e instanceof DicomWebError && e.transient) || attempt >= (endpoint.retries ?? 3)) throw e;
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
}

/**
 * Pulls every instance of the chosen studies into `folder` as `<SOPInstanceUID>.dcm`, skipping
 * instances a previous pull already finished, and reports per-instance failures instead of
 * throwing. Throws only when the study list itself cannot be had (e.g. the QIDO study search fails).
 */
export async function pullStudies(
  endpoint: DicomWebEndpoint,
  query: PullQuery,
  folder: string,
  options: PullOptions = {},
): Promise<PullResult> {
  if (query.studies && query.match) {
    throw new DicomWebError('pullStudies: give either `studies` (UIDs) or `match` (a QIDO filter), not both', endpoint.url);
  }
  const pageSize = options.pageSize ?? 100;
  const baseUrl = dicomWebUrl(endpoint, '');
  await mkdir(folder, { recursive: true });
  const ledgerPath = join(folder, PULL_LEDGER);
  const ledger = await readLedger(ledgerPath);

  const explicit = query.studies !== undefined;
  const studies = explicit
    ? [...new Set(query.studies)]
    : (await searchAll((q) => searchStudies(endpoint, q), query.match ?? {}, pageSize, dicomWebUrl(endpoint, 'studies'))).map((s) => s.studyInstanceUID);

  const failures: PullFailure[] = [];
  const todo: InstanceRecord[] = [];
  for (const st of studies) {
    const url = dicomWebUrl(endpoint, `studies/${encodeURIComponent(st)}/instances`);
    if (!UID.test(st)) {
      failures.push({ studyInstanceUID: st, url, message: `${JSON.stringify(st)} is not a valid Study Instance UID` });
      continue;
    }
    try {
      const instances = await searchAll((q) => searchInstances(endpoint, { studyInstanceUID: st }, q), {}, pageSize, url);
      // Orthanc and others answer an unknown study's instance search with an empty list, not 404.
      if (instances.length === 0 && explicit) {
        failures.push({ studyInstanceUID: st, url, message: `GET ${url}: study ${st} not found (QIDO-RS returned no instances)` });
      }
      todo.push(...instances);
    } catch (e) {
      failures.push(failureOf(e, { studyInstanceUID: st }, url));
    }
  }

  const seen = new Set<string>();
  const unique = todo.filter((i) => !seen.has(i.sopInstanceUID) && seen.add(i.sopInstanceUID));
  const total = unique.length;
  const instances: PulledInstance[] = [];
  let done = 0;
  let bytesDownloaded = 0;
  let ledgerWrite = Promise.resolve();
  const report = (p: Omit<PullProgress, 'done' | 'total'>) => {
    done++;
    options.onProgress?.({ done, total, ...p });
  };

  const pullOne = async (inst: InstanceRecord): Promise<void> => {
    const { studyInstanceUID, seriesInstanceUID, sopInstanceUID } = inst;
    const ids = { studyInstanceUID, seriesInstanceUID, sopInstanceUID };
    const url = dicomWebUrl(endpoint, `studies/${studyInstanceUID}/series/${seriesInstanceUID}/instances/${sopInstanceUID}`);
    const fail = (f: PullFailure) => {
      failures.push(f);
      report({ failure: f });
    };
    if (!UID.test(sopInstanceUID) || sopInstanceUID.length > 64) {
      fail({ ...ids, url, message: `${url}: ${JSON.stringify(sopInstanceUID)} is not a valid SOP Instance UID; not used as a file name` });
      return;
    }
    const path = join(folder, `${sopInstanceUID}.dcm`);
    const entry = ledger.get(sopInstanceUID);
    if (await matchesLedger(path, entry)) {
      const done = { ...ids, path, size: entry!.size, sha256: entry!.sha256, status: 'skipped' as const };
      instances.push(done);
      report({ instance: done });
      return;
    }
    try {
      const bytes = await retrieveWithRetry(endpoint, ids, options);
      const problem = part10Problem(bytes, sopInstanceUID);
      if (problem) throw new DicomWebError(`GET ${url}: ${problem}`, url);
      const hash = sha256(bytes);
      // Write then rename, so a crash never leaves a partial file under the final name.
      await writeFile(`${path}.part`, bytes);
      await rename(`${path}.part`, path);
      const line = `${JSON.stringify({ sopInstanceUID, studyInstanceUID, seriesInstanceUID, size: bytes.length, sha256: hash })}\n`;
      ledgerWrite = ledgerWrite.then(() => appendFile(ledgerPath, line));
      await ledgerWrite;
      bytesDownloaded += bytes.length;
      const got = { ...ids, path, size: bytes.length, sha256: hash, status: 'downloaded' as const };
      instances.push(got);
      report({ instance: got });
    } catch (e) {
      fail(failureOf(e, ids, url));
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < unique.length) await pullOne(unique[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 2, unique.length)) }, worker));

  instances.sort((a, b) => a.path.localeCompare(b.path));
  return {
    url: baseUrl.replace(/\/$/, ''),
    folder,
    studies,
    instances,
    failures,
    downloaded: instances.filter((i) => i.status === 'downloaded').length,
    skipped: instances.filter((i) => i.status === 'skipped').length,
    bytesDownloaded,
  };
}
