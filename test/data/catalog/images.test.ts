import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { Catalog } from '../../../src/data/catalog/catalog.js';
import { readCatalogCohort } from '../../../src/data/catalog/cohort.js';
import { volumeToImage2D } from '../../../src/data/catalog/images.js';
import { ingestManifest } from '../../../src/data/ingest/index.js';
import { plainLayout, type ImageAxis, type ImageVolume } from '../../../src/data/readers/index.js';

function vol(format: ImageVolume['format'], shape: number[], axes: ImageAxis[]): ImageVolume {
  const n = shape.reduce((a, b) => a * b, 1);
  return { format, shape, layout: plainLayout(axes, shape), data: Float32Array.from({ length: n }, (_x, i) => i), metadata: {} };
}

test('volumes become 2-D images: planes as one channel, rasters as HWC, volumes by their middle slice', () => {
  assert.deepEqual(volumeToImage2D(vol('dicom', [2, 3], ['y', 'x']), 'a'), { height: 2, width: 3, channels: 1, data: Float32Array.from([0, 1, 2, 3, 4, 5]) });
  const rgb = volumeToImage2D(vol('png', [2, 2, 3], ['y', 'x', 'c']), 'b');
  assert.deepEqual([rgb.height, rgb.width, rgb.channels, rgb.data.length], [2, 2, 3, 12]);
  // [z=3, y=2, x=2]: the middle slice z=1 holds elements 4..7.
  assert.deepEqual(volumeToImage2D(vol('nifti', [3, 2, 2], ['z', 'y', 'x']), 'c').data, Float32Array.from([4, 5, 6, 7]));
  // [t=2, z=3, y=1, x=2]: the first time point's middle slice is elements 2..3.
  assert.deepEqual(volumeToImage2D(vol('nifti', [2, 3, 1, 2], ['t', 'z', 'y', 'x']), 'd').data, Float32Array.from([2, 3]));
  // The layout, not the format, says where the channels are: a colour DICOM plane is HWC too.
  const colourDicom = volumeToImage2D(vol('dicom', [2, 2, 3], ['y', 'x', 'c']), 'f');
  assert.deepEqual([colourDicom.height, colourDicom.width, colourDicom.channels, colourDicom.data.length], [2, 2, 3, 12]);
  assert.throws(() => volumeToImage2D(vol('nifti', [1, 1, 1, 1, 1], ['u', 't', 'z', 'y', 'x']), 'e.nii'), /e\.nii: cannot make a 2-D image of shape \[1, 1, 1, 1, 1\]/);
});

test('a cohort read from the catalog with images: true carries each subject image', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-img-'));
  await writeFile(
    join(dir, 'manifest.yaml'),
    `schema: [{ name: age, kind: numeric }]
sites:
  - id: s
    tables: [{ path: s.csv }]
    subjectId: { column: id }
    label: { column: dx, positive: [1], negative: [0] }
    images: { folder: img, pattern: '{key}.png', required: false }
`,
  );
  await writeFile(join(dir, 's.csv'), 'id,age,dx\na,50,1\nb,60,0\n');
  await mkdir(join(dir, 'img'));
  await sharp({ create: { width: 5, height: 4, channels: 3, background: { r: 200, g: 100, b: 50 } } }).png().toFile(join(dir, 'img', 'a.png'));
  const ws = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  await ingestManifest(join(dir, 'manifest.yaml'), { workspace: ws });
  const c = await Catalog.open(ws);
  try {
    const tabular = await readCatalogCohort(c, 'x', ['s']);
    assert.ok(tabular.samples.every((s) => s.image === undefined));
    const cohort = await readCatalogCohort(c, 'x', ['s'], { images: true });
    const [a, b] = cohort.samples;
    assert.deepEqual([a.image?.height, a.image?.width, a.image?.channels], [4, 5, 3]);
    assert.deepEqual([...(a.image?.data.slice(0, 3) ?? [])], [200, 100, 50]);
    assert.equal(b.image, undefined, 'b has no image and required is false');
    assert.deepEqual(cohort.imageShape, [4, 5, 3]);
  } finally {
    c.close();
  }
});
