import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MultipartError, multipartBoundary, parseMultipart, readMultipart } from '../../../src/data/dicomweb/index.js';

const B = 'b0undary-1234';
const enc = (s: string) => Buffer.from(s, 'latin1');

/** Binary data built to trap a naive parser: every byte value, bare and CRLF-led boundary look-alikes. */
function trickyBinary(): Buffer {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  return Buffer.concat([
    enc('DICM'),
    all,
    enc(`--${B}\r\n`), // a boundary without the leading CRLF is data
    enc(`\r\n--${B}X\r\n`), // CRLF + boundary followed by a non-blank is data
    enc(`\r\n--${B.slice(0, -1)}`), // a cut-off boundary is data
    enc(`\r\n--${B}\t?`), // blanks not followed by CRLF: data
    all,
    enc('\r\n\r\n'),
    enc('\r'), // the body ends in a lone CR right before the real delimiter
  ]);
}

function body(parts: { headers: string[]; data: Buffer }[], opts: { preamble?: string; epilogue?: string; padding?: string } = {}): Buffer {
  const chunks: Buffer[] = [];
  if (opts.preamble !== undefined) chunks.push(enc(`${opts.preamble}\r\n`));
  for (const p of parts) {
    chunks.push(enc(`--${B}${opts.padding ?? ''}\r\n${p.headers.map((h) => `${h}\r\n`).join('')}\r\n`), p.data, enc('\r\n'));
  }
  chunks.push(enc(`--${B}--`));
  if (opts.epilogue !== undefined) chunks.push(enc(`\r\n${opts.epilogue}`));
  return Buffer.concat(chunks);
}

async function* inChunks(b: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

async function collect(b: Uint8Array, size: number) {
  const out = [];
  for await (const p of readMultipart(inChunks(b, size), B, 'test-body')) out.push({ headers: p.headers, body: Buffer.from(p.body) });
  return out;
}

test('multipartBoundary reads a quoted or bare boundary and names the source when there is none', () => {
  assert.equal(multipartBoundary(`multipart/related; type="application/dicom"; boundary="${B}"`, 'u'), B);
  assert.equal(multipartBoundary(`Multipart/Related;boundary=${B};type=application/dicom`, 'u'), B);
  assert.throws(() => multipartBoundary('application/dicom+json', 'GET http://x/studies'), (e: Error) => {
    assert.ok(e instanceof MultipartError);
    assert.match(e.message, /^GET http:\/\/x\/studies: expected a multipart Content-Type, got "application\/dicom\+json"/);
    return true;
  });
  assert.throws(() => multipartBoundary('multipart/related; type="application/dicom"', 'u'), /u: Content-Type .* has no boundary parameter/);
});

test('readMultipart: binary parts with boundary look-alikes come back byte-identical, whatever the chunking', async () => {
  const a = trickyBinary();
  const b = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 37 + 11) % 256));
  const msg = body([
    { headers: ['Content-Type: application/dicom', `Content-Length: ${a.length}`], data: a },
    { headers: ['Content-Type: application/dicom', 'X-Folded: one', '  two'], data: b },
  ]);
  // 1 byte splits every delimiter and CRLF; 7 and 64 straddle them at varying offsets; the whole body in one chunk.
  for (const size of [1, 7, 64, msg.length]) {
    const parts = await collect(msg, size);
    assert.equal(parts.length, 2, `chunk size ${size}`);
    assert.ok(parts[0].body.equals(a), `part 1 bytes, chunk size ${size}`);
    assert.ok(parts[1].body.equals(b), `part 2 bytes, chunk size ${size}`);
    assert.deepEqual(parts[0].headers, { 'content-type': 'application/dicom', 'content-length': String(a.length) });
    assert.equal(parts[1].headers['x-folded'], 'one two');
  }
});

test('readMultipart: preamble, epilogue, transport padding, an empty part and a part without headers', async () => {
  const msg = body(
    [
      { headers: ['Content-Type: application/dicom'], data: Buffer.alloc(0) },
      { headers: [], data: enc('abc') },
    ],
    { preamble: `This is a preamble that mentions --${B}X but not as a delimiter`, epilogue: `epilogue --${B}\r\n`, padding: ' \t ' },
  );
  for (const size of [1, 5, msg.length]) {
    const parts = await collect(msg, size);
    assert.equal(parts.length, 2, `chunk size ${size}`);
    assert.equal(parts[0].body.length, 0);
    assert.deepEqual(parts[1].headers, {});
    assert.equal(parts[1].body.toString('latin1'), 'abc');
  }
});

test('readMultipart yields each part before the stream has ended', async () => {
  const msg = body([
    { headers: ['Content-Type: application/dicom'], data: enc('first') },
    { headers: ['Content-Type: application/dicom'], data: enc('second') },
  ]);
  const cut = msg.indexOf(enc(`\r\n--${B}\r\n`), 10) + B.length + 6; // just past the second part's opening delimiter
  let released = false;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  async function* stream() {
    yield msg.subarray(0, cut);
    await gate;
    released = true;
    yield msg.subarray(cut);
  }
  const it = readMultipart(stream(), B, 'test-body');
  const first = await it.next();
  assert.equal(released, false, 'the first part must arrive before the rest of the body is read');
  assert.equal(Buffer.from((first.value as { body: Uint8Array }).body).toString(), 'first');
  release();
  const second = await it.next();
  assert.equal(Buffer.from((second.value as { body: Uint8Array }).body).toString(), 'second');
  assert.equal((await it.next()).done, true);
});

test('readMultipart: a body without its closing boundary or without any boundary is an error naming the source', async () => {
  const msg = body([{ headers: ['Content-Type: application/dicom'], data: enc('x'.repeat(100)) }]);
  const truncated = msg.subarray(0, msg.length - B.length - 4);
  await assert.rejects(parseMultipart(truncated, B, 'GET http://pacs/studies/1'), (e: Error) => {
    assert.ok(e instanceof MultipartError);
    assert.match(e.message, /^GET http:\/\/pacs\/studies\/1: truncated multipart body \(part 1 is not closed by a boundary/);
    return true;
  });
  await assert.rejects(parseMultipart(enc('no boundary here'), B, 'src'), /^MultipartError: src: truncated multipart body \(no opening boundary/);
  await assert.rejects(
    parseMultipart(enc(`--${B}\r\nbad header line\r\n\r\nx\r\n--${B}--`), B, 'src'),
    /src: part 1 has a malformed header line "bad header line"/,
  );
});
