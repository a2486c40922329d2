import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { inspectFile } from '../../src/cli/inspect-command.js';

const main = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const DIR = new URL('../fixtures/dicom/', import.meta.url).pathname;
/** Written by test/fixtures/dicom/make_reference.py (pydicom 2.3 + GDCM + numpy). */
const REFERENCE = JSON.parse(readFileSync(`${DIR}reference.json`, 'utf8')) as {
  files: Record<string, { shape: number[]; pixelSpacing?: number[]; min: number; max: number; mean: number; sha256: string; transferSyntaxUid: string }>;
};

function medtl(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// In-process (the --json output is JSON.stringify of this report); the CLI process itself is run below.
test('medtl inspect --json on DICOM: format, transfer syntax, shape, voxel size and stats match pydicom/GDCM', async () => {
  for (const name of ['CT_small.dcm', 'MR_small_jpeg_ls_lossless.dcm', 'SC_rgb_rle_2frame.dcm']) {
    const ref = REFERENCE.files[name];
    const out = JSON.parse(JSON.stringify(await inspectFile(`${DIR}${name}`))) as {
      format: string; transferSyntax: { uid: string; name: string }; shape: number[]; spacing: (number | null)[] | null;
      stats: { min: number; max: number; mean: number; sha256: string };
    };
    assert.equal(out.format, 'dicom');
    assert.equal(out.transferSyntax.uid, ref.transferSyntaxUid);
    assert.deepEqual(out.shape, ref.shape);
    assert.equal(out.stats.min, ref.min);
    assert.equal(out.stats.max, ref.max);
    // float64 sums of identical float32 values in different order: 1e-9 relative is far above the rounding.
    assert.ok(Math.abs(out.stats.mean - ref.mean) <= 1e-9 * Math.abs(ref.mean), `${name} mean`);
    assert.equal(out.stats.sha256, ref.sha256);
    // Row/column spacing sit just before a trailing colour axis (null, no physical size).
    const spatial = out.spacing!.slice(out.shape.length - (out.shape.at(-1) === 3 ? 3 : 2), out.shape.at(-1) === 3 ? -1 : undefined);
    assert.deepEqual(spatial, ref.pixelSpacing ?? [1, 1]);
  }
});

test('medtl inspect on DICOM: text names the transfer syntax; a bad file exits 1 naming it', () => {
  const r = medtl(['inspect', `${DIR}MR_small_RLE.dcm`]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /format:\s+dicom/);
  assert.match(r.stdout, /transfer syntax: RLE Lossless \(1\.2\.840\.10008\.1\.2\.5\)/);
  assert.match(r.stdout, new RegExp(`sha256:\\s+${REFERENCE.files['MR_small_RLE.dcm'].sha256}`));
  const bad = medtl(['inspect', `${DIR}MR_truncated.dcm`]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /MR_truncated\.dcm: malformed or truncated DICOM: .*\(7FE0,0010\)/);
});
