import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateRawSync, gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { Catalog } from '../../../src/data/catalog/catalog.js';
import { ingestManifest } from '../../../src/data/ingest/index.js';
import { dcmjs } from '../../../src/data/readers/dicom/dcmjs.js';
import { el, imageHeader, part10 } from '../readers/crafted.js';

const NAME = 'Hollowbrook^Ottilie';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

/** S002.dcm with the patient's name also put in Manufacturer, an attribute the profile keeps. */
function nameInKeptAttribute(good: Buffer): Uint8Array {
  const file = dcmjs.data.DicomMessage.readFile(good.buffer.slice(good.byteOffset, good.byteOffset + good.byteLength) as ArrayBuffer);
  file.dict['00100010'] = { vr: 'PN', Value: [{ Alphabetic: NAME }] };
  file.dict['00080070'] = { vr: 'LO', Value: [NAME] };
  return new Uint8Array(file.write());
}

test('ingest quarantines an overrun, a deflate bomb, a .nii.gz bomb and a file the de-identifier refuses, with reasons, and goes on', async () => {
  const saved = process.env.MEDTL_MAX_DECODED_MB;
  process.env.MEDTL_MAX_DECODED_MB = '4';
  try {
    const dir = await mkdtemp(join(tmpdir(), 'medtl-hostile-'));
    await mkdir(join(dir, 'img'));
    const good = await readFile('test/fixtures/ingest/phi/S002.dcm');
    const overrun = part10('1.2.840.10008.1.2', Buffer.concat([imageHeader(64, 64, 1, false), el(0x7fe0, 0x0010, 'OB', Buffer.alloc(7000), false, 0x7fffffff)]));
    const deflate = part10('1.2.840.10008.1.2.1.99', deflateRawSync(Buffer.concat([imageHeader(4096, 4096, 1), el(0x7fe0, 0x0010, 'OB', Buffer.alloc(4096 * 4096))]), { level: 9 }));
    await writeFile(join(dir, 'img', 'k1.dcm'), good);
    await writeFile(join(dir, 'img', 'k2.dcm'), overrun);
    await writeFile(join(dir, 'img', 'k3.dcm'), deflate);
    await writeFile(join(dir, 'img', 'k4.nii.gz'), gzipSync(Buffer.alloc(32 * 2 ** 20), { level: 9 }));
    await writeFile(join(dir, 'img', 'k5.dcm'), nameInKeptAttribute(good));
    await writeFile(join(dir, 't.csv'), 'id,age,dx\nk1,50,1\nk2,51,0\nk3,52,1\nk4,53,0\nk5,54,1\n');
    await writeFile(
      join(dir, 'manifest.yaml'),
      `schema: [{ name: age, kind: numeric }]
sites:
  - id: h
    tables: [{ path: t.csv }]
    subjectId: { column: id }
    label: { column: dx, positive: [1], negative: [0] }
    images: { glob: 'img/*', match: '^(?<key>k\\d)\\.(dcm|nii\\.gz)$' }
`,
    );
    const ws = await mkdtemp(join(tmpdir(), 'medtl-hostile-ws-'));
    const t0 = performance.now();
    const r = await ingestManifest(join(dir, 'manifest.yaml'), { workspace: ws, env: { MEDTL_DEID_KEY: 'hostile-images-test-key-0123456789' } });
    // Each refusal reads a header or stops an inflate at 4 MiB; 20 s is far above that even on a loaded machine.
    assert.ok(performance.now() - t0 < 20_000, `ingest took ${performance.now() - t0} ms`);
    assert.deepEqual(r.sites.map((s) => [s.subjects, s.quarantined]), [[1, 4]]);
    const q = Object.fromEntries(r.report.quarantine.map((x) => [x.item.replace(`${dir}/`, ''), x.reason]));
    assert.match(q['img/k2.dcm'], /^image of subject k2 cannot be read: element \(7FE0,0010\) at byte \d+ declares a length of 2147483647 bytes but only 7000 remain in the file$/);
    assert.match(q['img/k3.dcm'], /^image of subject k3 cannot be read: the deflated data set inflates to more than 4\.0 MiB/);
    assert.match(q['img/k4.nii.gz'], /^image of subject k4 cannot be read: the gzip stream of the \.nii\.gz inflates to more than 4\.0 MiB/);
    assert.match(q['img/k5.dcm'], /^image of subject k5 cannot be read: de-identification refused: \d+ identifying value\(s\) from /);
    // No byte of the name anywhere in the workspace: catalog, report, de-identified copies.
    for (const f of await filesUnder(ws)) {
      const bytes = await readFile(f);
      for (const needle of [NAME, 'Hollowbrook', 'Ottilie']) assert.ok(!bytes.includes(Buffer.from(needle)), `${f} holds ${needle}`);
    }
  } finally {
    if (saved === undefined) delete process.env.MEDTL_MAX_DECODED_MB;
    else process.env.MEDTL_MAX_DECODED_MB = saved;
  }
});

test('a join key such as ../outside_scan is not looked up outside the image folder: the record is quarantined with the reason', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-joinkey-'));
  await mkdir(join(dir, 'images'));
  const png = await sharp({ create: { width: 4, height: 3, channels: 3, background: { r: 1, g: 2, b: 3 } } }).png().toBuffer();
  await writeFile(join(dir, 'images', 'j1.png'), png);
  // The file the hostile cell points at exists, one level up.
  await writeFile(join(dir, 'outside_scan.png'), png);
  await writeFile(join(dir, 't.csv'), 'id,age,dx\nj1,50,1\n../outside_scan,51,0\n');
  await writeFile(
    join(dir, 'manifest.yaml'),
    `schema: [{ name: age, kind: numeric }]
sites:
  - id: p
    tables: [{ path: t.csv }]
    subjectId: { column: id }
    label: { column: dx, positive: [1], negative: [0] }
    images: { folder: images, pattern: '{key}.png' }
`,
  );
  const ws = await mkdtemp(join(tmpdir(), 'medtl-joinkey-ws-'));
  const r = await ingestManifest(join(dir, 'manifest.yaml'), { workspace: ws, env: {} });
  const reasons = r.report.quarantine.map((x) => x.reason);
  assert.ok(reasons.some((x) => /^join key contains a path separator or '\.\.': not looked up outside /.test(x)), reasons.join('\n'));
  const c = await Catalog.open(ws);
  try {
    const subjects = await c.subjects();
    assert.deepEqual(subjects.map((s) => s.subjectId), ['j1']);
    assert.ok(subjects.every((s) => s.images.every((i) => !i.path.includes('outside_scan'))));
  } finally {
    c.close();
  }
});

test('an invalid MEDTL_MAX_DECODED_MB stops the ingest before anything is read or written, naming the variable', async () => {
  const saved = process.env.MEDTL_MAX_DECODED_MB;
  process.env.MEDTL_MAX_DECODED_MB = 'lots';
  try {
    const ws = await mkdtemp(join(tmpdir(), 'medtl-cap-'));
    await assert.rejects(ingestManifest(join(ws, 'no-such-manifest.yaml'), { workspace: ws, env: {} }), /MEDTL_MAX_DECODED_MB must be a positive number of MiB, got 'lots'/);
    assert.deepEqual(await readdir(ws), []);
  } finally {
    if (saved === undefined) delete process.env.MEDTL_MAX_DECODED_MB;
    else process.env.MEDTL_MAX_DECODED_MB = saved;
  }
});
