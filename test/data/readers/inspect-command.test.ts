import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { REFERENCE, assertClose, fixture, scratchFile } from './helpers.js';

const main = new URL('../../../src/cli/main.ts', import.meta.url).pathname;

function medtl(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', main, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('medtl inspect --json: format, shape, voxel size and min/max/mean/sha256 match the numpy reference', () => {
  for (const name of ['functional.nii', 'anatomical.nii', 'breastmnist_tiny_compressed.npz', 'breast_gray16.png']) {
    const ref = REFERENCE[name];
    const r = medtl(['inspect', fixture(name), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      file: string; format: string; shape: number[]; spacing: number[] | null; dtype: string;
      stats: { count: number; nanCount: number; min: number; max: number; mean: number; sha256: string };
      metadata: Record<string, string | number>;
    };
    assert.equal(out.file, fixture(name));
    assert.equal(out.format, ref.format);
    assert.deepEqual(out.shape, ref.shape);
    if (ref.spacing === undefined) assert.equal(out.spacing, null);
    else out.spacing!.forEach((s, k) => assertClose(s, ref.spacing![k], `spacing[${k}]`, 1e-12));
    assert.equal(out.dtype, 'float32');
    assert.equal(out.stats.count, ref.shape.reduce((p, d) => p * d, 1));
    assert.equal(out.stats.nanCount, 0);
    assert.equal(out.stats.min, ref.min);
    assert.equal(out.stats.max, ref.max);
    assertClose(out.stats.mean, ref.mean, `${name} mean`);
    assert.equal(out.stats.sha256, ref.sha256);
  }
});

test('medtl inspect: text output, --array for npz, and a clear error for a bad file', () => {
  const r = medtl(['inspect', fixture('example4d.nii.gz')]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /format:\s+nifti/);
  assert.match(r.stdout, /shape:\s+\[2, 24, 96, 128\]/);
  assert.match(r.stdout, new RegExp(`sha256:\\s+${REFERENCE['example4d.nii.gz'].sha256}`));
  assert.match(r.stdout, /axes:\s+\[t, z, y, x\]/);
  assert.match(r.stdout, /affine:\s+RAS mm .*from the sform\n\s+\[-2, 6\.71472e-19, 9\.08102e-18, 117\.855\]\n\s+\[-6\.71472e-19, 1\.97371, -0\.355528, -35\.7229\]/);
  assert.match(r.stdout, /axis spacing:\s+\[2, 2, 2\.2\]/);
  assert.match(r.stdout, /orientation:\s+LAS/);
  const anat = JSON.parse(medtl(['inspect', fixture('anatomical.nii'), '--json']).stdout) as { axes: string[]; channels: number; geometry: { affine: number[][]; source: string } };
  assert.deepEqual([anat.axes, anat.channels, anat.geometry.source], [['z', 'y', 'x'], 1, 'sform']);
  assert.deepEqual(anat.geometry.affine[0], [-2, 0, 0, 32]);
  const png = JSON.parse(medtl(['inspect', fixture('breast_gray8.png'), '--json']).stdout) as { geometry: unknown };
  assert.equal(png.geometry, null);
  const labels = medtl(['inspect', fixture('breastmnist_tiny.npz'), '--array', 'train_labels', '--json']);
  assert.equal(labels.code, 0, labels.stderr);
  assert.deepEqual((JSON.parse(labels.stdout) as { shape: number[] }).shape, [8]);
  const bad = scratchFile('bad.nii.gz', new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]));
  const e = medtl(['inspect', bad]);
  assert.equal(e.code, 1);
  assert.equal(e.stdout, '');
  assert.match(e.stderr, /^medtl: .*bad\.nii\.gz: corrupt or truncated gzip stream/);
});
