/**
 * Incremental multipart/related reader (RFC 2046 §5.1, RFC 2387) for WADO-RS responses.
 * Bytes arrive in arbitrary chunks; each part is yielded as soon as its closing delimiter has been
 * seen, so memory holds one part plus a delimiter's worth of look-ahead, never the whole response.
 * Hand-written because no maintained Node library for multipart/related is among our
 * dependencies (the form-data parsers only speak multipart/form-data).
 */

/** One body part: its header fields (names lower-cased) and its bytes exactly as sent. */
export interface MultipartPart {
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

/** Thrown for a malformed multipart body or Content-Type; `source` (a URL or file) starts the message. */
export class MultipartError extends Error {
  override readonly name = 'MultipartError';
}

/** The `boundary` parameter of a multipart Content-Type header (quoted or bare), or an error naming `source`. */
export function multipartBoundary(contentType: string | null, source: string): string {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) {
    throw new MultipartError(`${source}: expected a multipart Content-Type, got ${JSON.stringify(contentType ?? '')}`);
  }
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new MultipartError(`${source}: Content-Type ${JSON.stringify(contentType)} has no boundary parameter`);
  if (boundary.length > 70) throw new MultipartError(`${source}: multipart boundary longer than 70 characters (RFC 2046)`);
  return boundary;
}

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

type State = 'preamble' | 'headers' | 'body' | 'epilogue';

/**
 * Parses a multipart body from an async stream of chunks, yielding each part as it completes.
 * A delimiter is CRLF "--" boundary followed by "--" (the last one) or optional blanks and CRLF;
 * the same bytes followed by anything else are part data, as is "--boundary" without the CRLF.
 */
export async function* readMultipart(
  chunks: AsyncIterable<Uint8Array>,
  boundary: string,
  source: string,
): AsyncGenerator<MultipartPart> {
  const dashBoundary = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  let buf = Buffer.alloc(0);
  let state = 'preamble' as State;
  let headers: Record<string, string> = {};
  let bodyChunks: Buffer[] = [];
  let searchFrom = 0;
  let partIndex = 0;
  let atStart = true;

  // What follows a boundary: 'close' (--), 'next' (blanks + CRLF), 'data' (not a delimiter), 'more' (need bytes).
  const afterBoundary = (at: number): { kind: 'close' | 'next' | 'data' | 'more'; end: number } => {
    if (at + 2 > buf.length) return { kind: 'more', end: at };
    if (buf[at] === DASH && buf[at + 1] === DASH) return { kind: 'close', end: at + 2 };
    let k = at;
    while (k < buf.length && (buf[k] === 0x20 || buf[k] === 0x09)) k++;
    if (k + 2 > buf.length) return { kind: 'more', end: at };
    if (buf[k] === CR && buf[k + 1] === LF) return { kind: 'next', end: k + 2 };
    return { kind: 'data', end: at };
  };

  const step = function* (): Generator<MultipartPart, boolean> {
    // Returns true when it needs more input.
    for (;;) {
      if (state === 'epilogue') return true;
      if (state === 'preamble') {
        let at = -1;
        if (atStart) {
          // The first boundary may open the body without a preceding CRLF.
          const n = Math.min(buf.length, dashBoundary.length);
          if (!buf.subarray(0, n).equals(dashBoundary.subarray(0, n))) atStart = false;
          else if (n < dashBoundary.length) return true;
          else at = 0;
        }
        if (at < 0) {
          const i = buf.indexOf(delimiter, searchFrom);
          if (i >= 0) at = i + 2;
        }
        if (at < 0) {
          if (!atStart) buf = buf.subarray(Math.max(0, buf.length - delimiter.length + 1));
          searchFrom = 0;
          return true;
        }
        const next = afterBoundary(at + dashBoundary.length);
        if (next.kind === 'more') return true;
        if (next.kind === 'data') {
          atStart = false;
          searchFrom = Math.max(0, at - 1);
          continue;
        }
        atStart = false;
        if (next.kind === 'close') {
          state = 'epilogue';
          return true;
        }
        buf = buf.subarray(next.end);
        searchFrom = 0;
        state = 'headers';
        continue;
      }
      if (state === 'headers') {
        // A part with no header fields starts directly with its blank line.
        let end: number;
        let bodyStart: number;
        if (buf.length >= 2 && buf[0] === CR && buf[1] === LF) {
          end = 0;
          bodyStart = 2;
        } else {
          end = buf.indexOf('\r\n\r\n', 0, 'latin1');
          if (end < 0) {
            if (buf.length > 64 * 1024) throw new MultipartError(`${source}: part ${partIndex + 1} has more than 64 KiB of header fields`);
            return true;
          }
          bodyStart = end + 4;
        }
        headers = parseHeaderBlock(buf.subarray(0, end).toString('latin1'), source, partIndex + 1);
        buf = buf.subarray(bodyStart);
        bodyChunks = [];
        searchFrom = 0;
        state = 'body';
        continue;
      }
      // state === 'body'
      const i = buf.indexOf(delimiter, searchFrom);
      if (i < 0) {
        // Keep a tail that could be the start of a delimiter split across chunks.
        const keep = Math.min(buf.length, delimiter.length - 1);
        const cut = buf.length - keep;
        if (cut > 0) {
          bodyChunks.push(buf.subarray(0, cut));
          buf = buf.subarray(cut);
        }
        searchFrom = 0;
        return true;
      }
      const next = afterBoundary(i + delimiter.length);
      if (next.kind === 'more') {
        if (i > 0) {
          bodyChunks.push(buf.subarray(0, i));
          buf = buf.subarray(i);
        }
        searchFrom = 0;
        return true;
      }
      if (next.kind === 'data') {
        searchFrom = i + 1;
        continue;
      }
      bodyChunks.push(buf.subarray(0, i));
      const body = bodyChunks.length === 1 ? bodyChunks[0] : Buffer.concat(bodyChunks);
      bodyChunks = [];
      partIndex++;
      yield { headers, body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
      buf = buf.subarray(next.end);
      searchFrom = 0;
      state = next.kind === 'close' ? 'epilogue' : 'headers';
    }
  };

  for await (const chunk of chunks) {
    if (state === 'epilogue') continue; // drain the epilogue without keeping it
    // Copy: the stream may reuse its chunk buffers, and yielded parts keep views into ours.
    buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, chunk]);
    yield* step();
  }
  if (state !== 'epilogue') {
    const where = state === 'preamble' ? 'no opening boundary' : `part ${partIndex + 1} is not closed by a boundary`;
    throw new MultipartError(`${source}: truncated multipart body (${where}; boundary ${JSON.stringify(boundary)})`);
  }
}

function parseHeaderBlock(text: string, source: string, part: number): Record<string, string> {
  const headers: Record<string, string> = {};
  // RFC 5322 folding: a line starting with a blank continues the previous field.
  const lines = text.split('\r\n');
  let last: string | undefined;
  for (const line of lines) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      headers[last] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError(`${source}: part ${part} has a malformed header line ${JSON.stringify(line)}`);
    last = line.slice(0, colon).trim().toLowerCase();
    headers[last] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Collects every part of an in-memory multipart body (tests and small responses). */
export async function parseMultipart(body: Uint8Array, boundary: string, source: string): Promise<MultipartPart[]> {
  const parts: MultipartPart[] = [];
  for await (const p of readMultipart(oneChunk(body), boundary, source)) parts.push(p);
  return parts;
}

async function* oneChunk(body: Uint8Array): AsyncGenerator<Uint8Array> {
  yield body;
}
