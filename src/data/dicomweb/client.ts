/**
 * A small DICOMweb client over Node's fetch: QIDO-RS search of studies, series and instances, and
 * WADO-RS retrieval of Part 10 instances. Every error names the URL and, for HTTP errors, the status.
 */
import { parseDicomJson, toInstance, toSeries, toStudy } from './dicom-json.js';
import type { InstanceRecord, SeriesRecord, StudyRecord } from './dicom-json.js';
import { MultipartError, multipartBoundary, readMultipart } from './multipart.js';
import type { MultipartPart } from './multipart.js';

/** Credentials sent with every request: a bearer token or HTTP basic auth. */
export type DicomWebAuth = { readonly bearer: string } | { readonly username: string; readonly password: string };

/** Where a DICOMweb service is and how to talk to it. */
export interface DicomWebEndpoint {
  /** Base URL of the service, e.g. `http://127.0.0.1:8042/dicom-web` (credentials in the URL become basic auth). */
  readonly url: string;
  readonly auth?: DicomWebAuth;
  /** Extra request headers (e.g. an API key). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Attempts after the first for a transient failure (network error, HTTP 408/429/502/503/504); default 3. */
  readonly retries?: number;
  /** Delay before the first retry in ms, doubled each time (a Retry-After header wins, up to 30 s); default 250. */
  readonly retryDelayMs?: number;
  /** Per-request timeout in ms; default 60000. */
  readonly timeoutMs?: number;
}

/** An HTTP, network or protocol failure talking to a DICOMweb service; the message names the URL. */
export class DicomWebError extends Error {
  override readonly name = 'DicomWebError';
  constructor(
    message: string,
    /** The request URL (never with credentials). */
    readonly url: string,
    /** The HTTP status, or undefined for a network or protocol failure. */
    readonly status?: number,
    /** True when trying again may succeed and has not been tried yet (a response body cut off mid-way). */
    readonly transient = false,
  ) {
    super(message);
  }
}

/** QIDO-RS query parameters: attribute matches by keyword or tag, plus `limit`, `offset`, `includefield`, `fuzzymatching`. */
export type QidoQuery = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

const TRANSIENT = new Set([408, 429, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 30_000;

/** The base URL without trailing slash or credentials, and the headers every request carries. */
function resolve(endpoint: DicomWebEndpoint): { base: string; headers: Record<string, string> } {
  let u: URL;
  try {
    u = new URL(endpoint.url);
  } catch {
    throw new DicomWebError(`DICOMweb URL ${JSON.stringify(endpoint.url)} is not a valid URL`, endpoint.url);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new DicomWebError(`DICOMweb URL ${u.href}: only http and https are supported`, u.href);
  }
  const headers: Record<string, string> = { ...(endpoint.headers ?? {}) };
  let auth = endpoint.auth;
  if (u.username && !auth) auth = { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
  u.username = '';
  u.password = '';
  if (auth && 'bearer' in auth) headers.authorization = `Bearer ${auth.bearer}`;
  else if (auth) headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  return { base: u.href.replace(/\/+$/, ''), headers };
}

/** Builds `base/path?query`, joining list values with commas (DICOM UID-list and multi-value matching). */
export function dicomWebUrl(endpoint: DicomWebEndpoint, path: string, query: QidoQuery = {}): string {
  const { base } = resolve(endpoint);
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    params.append(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const qs = params.toString();
  return `${base}/${path.replace(/^\/+/, '')}${qs ? `?${qs}` : ''}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function retryAfterMs(res: Response): number | undefined {
  const h = res.headers.get('retry-after');
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, s * 1000));
  const t = Date.parse(h);
  return Number.isFinite(t) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, t - Date.now())) : undefined;
}

async function errorDetail(res: Response): Promise<string> {
  try {
    const text = (await res.text()).trim();
    if (!text) return '';
    try {
      const j = JSON.parse(text) as { Details?: unknown; Message?: unknown };
      const d = j.Details ?? j.Message;
      if (typeof d === 'string') return `: ${d}`;
    } catch {
      // not JSON: fall through to the raw text
    }
    return `: ${text.replace(/\s+/g, ' ').slice(0, 200)}`;
  } catch {
    return '';
  }
}

/**
 * GET with bounded retries of transient failures; resolves to a 2xx response whose body is unread.
 * Non-transient HTTP errors (e.g. 404, 401, 500) throw at once.
 */
export async function dicomWebGet(endpoint: DicomWebEndpoint, url: string, accept: string): Promise<Response> {
  const { headers } = resolve(endpoint);
  const retries = endpoint.retries ?? 3;
  let delay = endpoint.retryDelayMs ?? 250;
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { ...headers, accept },
        signal: AbortSignal.timeout(endpoint.timeoutMs ?? 60_000),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const why = err.name === 'TimeoutError' ? `timed out after ${endpoint.timeoutMs ?? 60_000} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
      if (attempt < retries) {
        await sleep(delay);
        delay *= 2;
        continue;
      }
      throw new DicomWebError(`GET ${url}: network error (${why}) after ${attempt + 1} attempt(s)`, url);
    }
    if (res.ok) return res;
    if (TRANSIENT.has(res.status) && attempt < retries) {
      const wait = retryAfterMs(res) ?? delay;
      await res.body?.cancel();
      await sleep(wait);
      delay *= 2;
      continue;
    }
    const detail = await errorDetail(res);
    const tries = attempt > 0 ? ` after ${attempt + 1} attempts` : '';
    throw new DicomWebError(`GET ${url}: HTTP ${res.status} ${res.statusText}${detail}${tries}`, url, res.status);
  }
}

async function qido(endpoint: DicomWebEndpoint, path: string, query: QidoQuery): Promise<{ url: string; datasets: ReturnType<typeof parseDicomJson> }> {
  const url = dicomWebUrl(endpoint, path, query);
  const res = await dicomWebGet(endpoint, url, 'application/dicom+json');
  // 204 No Content is a valid "no matches" answer.
  const text = res.status === 204 ? '' : await res.text();
  if (text.trim() === '') return { url, datasets: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DicomWebError(`GET ${url}: response is not JSON (${(e as Error).message})`, url, res.status);
  }
  return { url, datasets: parseDicomJson(json, `GET ${url}`) };
}

/** QIDO-RS `/studies`: studies matching `query` (one page when `limit`/`offset` are given). */
export async function searchStudies(endpoint: DicomWebEndpoint, query: QidoQuery = {}): Promise<StudyRecord[]> {
  const { url, datasets } = await qido(endpoint, 'studies', query);
  return datasets.map((ds, i) => toStudy(ds, `GET ${url}`, i + 1));
}

/** QIDO-RS `/studies/{study}/series`, or `/series` across studies when `studyInstanceUID` is undefined. */
export async function searchSeries(endpoint: DicomWebEndpoint, studyInstanceUID?: string, query: QidoQuery = {}): Promise<SeriesRecord[]> {
  const path = studyInstanceUID ? `studies/${encodeURIComponent(studyInstanceUID)}/series` : 'series';
  const { url, datasets } = await qido(endpoint, path, query);
  return datasets.map((ds, i) => toSeries(ds, `GET ${url}`, i + 1, studyInstanceUID));
}

/** QIDO-RS instances: of one series, of one study (`seriesInstanceUID` undefined), or everywhere (both undefined). */
export async function searchInstances(
  endpoint: DicomWebEndpoint,
  scope: { studyInstanceUID?: string; seriesInstanceUID?: string } = {},
  query: QidoQuery = {},
): Promise<InstanceRecord[]> {
  const { studyInstanceUID: st, seriesInstanceUID: se } = scope;
  if (se && !st) throw new DicomWebError(`searchInstances: a series UID (${se}) needs its study UID`, endpoint.url);
  const path = st
    ? se
      ? `studies/${encodeURIComponent(st)}/series/${encodeURIComponent(se)}/instances`
      : `studies/${encodeURIComponent(st)}/instances`
    : 'instances';
  const { url, datasets } = await qido(endpoint, path, query);
  return datasets.map((ds, i) => toInstance(ds, `GET ${url}`, i + 1, scope));
}

/**
 * Runs a QIDO search page by page (`limit` = `pageSize`, `offset` advancing) until a short page,
 * so servers that cap result counts still return everything. A server that ignores `limit`
 * (a first page longer than asked) is taken to have sent everything at once; one that ignores
 * `offset` (the same page again) is an error rather than an endless loop.
 */
export async function searchAll<T>(
  search: (query: QidoQuery) => Promise<T[]>,
  query: QidoQuery = {},
  pageSize = 100,
  /** Names the search in errors, e.g. its URL. */
  source = 'QIDO-RS search',
): Promise<T[]> {
  const all: T[] = [];
  let previous = '';
  for (let offset = 0; ; offset += pageSize) {
    const page = await search({ ...query, limit: pageSize, offset });
    if (offset === 0 && page.length > pageSize) return page;
    const text = JSON.stringify(page);
    if (offset > 0 && page.length > 0 && text === previous) {
      throw new Error(`${source}: offset ${offset} returned the same ${page.length} results as offset ${offset - pageSize}; the server ignores offset`);
    }
    previous = text;
    all.push(...page);
    if (page.length < pageSize) return all;
  }
}

/** Options of a WADO-RS retrieve. */
export interface RetrieveOptions {
  /**
   * Transfer syntax UID to ask for; default `*`, i.e. the instance as stored. Without it the
   * standard lets the server transcode to explicit VR little endian, which Orthanc 1.10 cannot do
   * for JPEG 2000 (it answers HTTP 500).
   */
  readonly transferSyntax?: string;
}

function dicomAccept(options: RetrieveOptions): string {
  return `multipart/related; type="application/dicom"; transfer-syntax=${options.transferSyntax ?? '*'}`;
}

function wadoUrl(endpoint: DicomWebEndpoint, uids: { studyInstanceUID: string; seriesInstanceUID?: string; sopInstanceUID?: string }): string {
  const { studyInstanceUID: st, seriesInstanceUID: se, sopInstanceUID: sop } = uids;
  if (sop && !se) throw new DicomWebError(`retrieve: an instance UID (${sop}) needs its series UID`, endpoint.url);
  let path = `studies/${encodeURIComponent(st)}`;
  if (se) path += `/series/${encodeURIComponent(se)}`;
  if (sop) path += `/instances/${encodeURIComponent(sop)}`;
  return dicomWebUrl(endpoint, path);
}

/** WADO-RS: streams the Part 10 instances of a study, a series or one instance as multipart parts. */
export async function* retrieveParts(
  endpoint: DicomWebEndpoint,
  uids: { studyInstanceUID: string; seriesInstanceUID?: string; sopInstanceUID?: string },
  options: RetrieveOptions = {},
): AsyncGenerator<MultipartPart & { url: string }> {
  const url = wadoUrl(endpoint, uids);
  const res = await dicomWebGet(endpoint, url, dicomAccept(options));
  const source = `GET ${url}`;
  let boundary: string;
  try {
    boundary = multipartBoundary(res.headers.get('content-type'), source);
  } catch (e) {
    await res.body?.cancel();
    throw new DicomWebError((e as Error).message, url, res.status);
  }
  if (!res.body) throw new DicomWebError(`${source}: empty response body`, url, res.status);
  try {
    for await (const part of readMultipart(res.body, boundary, source)) yield { ...part, url };
  } catch (e) {
    if (e instanceof MultipartError) throw new DicomWebError(e.message, url, res.status);
    const err = e as Error & { cause?: { code?: string } };
    throw new DicomWebError(`${source}: response body interrupted (${err.cause?.code ?? err.message})`, url, res.status, true);
  }
}

/** WADO-RS retrieve of one instance; returns its Part 10 bytes, or throws naming the URL when the response has no DICOM part. */
export async function retrieveInstance(
  endpoint: DicomWebEndpoint,
  uids: { studyInstanceUID: string; seriesInstanceUID: string; sopInstanceUID: string },
  options: RetrieveOptions = {},
): Promise<Uint8Array> {
  const url = wadoUrl(endpoint, uids);
  let found: Uint8Array | undefined;
  let count = 0;
  for await (const part of retrieveParts(endpoint, uids, options)) {
    count++;
    const type = part.headers['content-type'] ?? 'application/dicom';
    if (!/^application\/dicom\b/i.test(type)) {
      throw new DicomWebError(`GET ${url}: part ${count} has Content-Type ${type}, expected application/dicom`, url);
    }
    // A part's Content-Length, when sent, catches a body cut short by a boundary-like byte run.
    const declared = part.headers['content-length'];
    if (declared !== undefined && Number(declared) !== part.body.length) {
      throw new DicomWebError(`GET ${url}: part ${count} has ${part.body.length} bytes but declares Content-Length ${declared}`, url);
    }
    found ??= part.body;
  }
  if (!found) throw new DicomWebError(`GET ${url}: the response holds no instance`, url);
  if (count > 1) throw new DicomWebError(`GET ${url}: expected one instance, got ${count} parts`, url);
  return found;
}
