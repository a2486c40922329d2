import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseExperiment } from '../../src/config/experiment.js';
import { Catalog, readCatalogCohort } from '../../src/data/catalog/index.js';
import { runExperiment } from '../../src/pipeline/experiment.js';
import { Rng } from '../../src/util/random.js';

const [NX, NY, NZ] = [10, 10, 6];

/** A minimal NIfTI-1 single file (.nii): 348-byte header, 4 bytes of (empty) extension flag, then float32 voxels, x fastest. */
function niftiFloat32(voxels: Float32Array, nx: number, ny: number, nz: number): Uint8Array {
  const buf = new ArrayBuffer(352 + voxels.length * 4);
  const v = new DataView(buf);
  v.setInt32(0, 348, true); // sizeof_hdr
  [3, nx, ny, nz, 1, 1, 1, 1].forEach((d, i) => v.setInt16(40 + 2 * i, d, true)); // dim
  v.setInt16(70, 16, true); // datatype: float32
  v.setInt16(72, 32, true); // bitpix
  [1, 1, 1, 1, 1, 1, 1, 1].forEach((p, i) => v.setFloat32(76 + 4 * i, p, true)); // pixdim (mm)
  v.setFloat32(108, 352, true); // vox_offset
  v.setFloat32(112, 1, true); // scl_slope
  new Uint8Array(buf, 344, 4).set([0x6e, 0x2b, 0x31, 0]); // magic "n+1\0"
  new Float32Array(buf, 352).set(voxels);
  return new Uint8Array(buf);
}

/** Two sites of small CT-like volumes in HU: positives have a bright block in the deeper half, which a 2-D middle slice only partly shows. */
async function volumeManifest(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-vol-'));
  const rng = new Rng(3);
  for (const site of ['north', 'south']) {
    await mkdir(join(dir, site), { recursive: true });
    const rows = ['pid,x,dx'];
    for (let i = 0; i < 24; i++) {
      const y = i % 2 === 1;
      const data = new Float32Array(NX * NY * NZ);
      for (let z = 0; z < NZ; z++) {
        for (let yy = 0; yy < NY; yy++) {
          for (let x = 0; x < NX; x++) {
            const lesion = y && z >= 3 && yy >= 3 && yy < 7 && x >= 3 && x < 7;
            data[(z * NY + yy) * NX + x] = (lesion ? 200 : -600) + 50 * rng.normal();
          }
        }
      }
      await writeFile(join(dir, site, `${site}${i}.nii`), niftiFloat32(data, NX, NY, NZ));
      rows.push(`${site}${i},${rng.normal().toFixed(3)},${y ? 'yes' : 'no'}`);
    }
    await writeFile(join(dir, `${site}.csv`), `${rows.join('\n')}\n`);
  }
  await writeFile(
    join(dir, 'manifest.yaml'),
    `name: volumes
schema:
  - { name: x, kind: numeric }
defaults:
  subjectId: { column: pid }
  label: { column: dx, positive: [yes], negative: [no] }
sites:
  - { id: north, tables: [{ path: north.csv }], images: { folder: north, pattern: '{key}.nii' } }
  - { id: south, tables: [{ path: south.csv }], images: { folder: south, pattern: '{key}.nii' } }
`,
  );
  return join(dir, 'manifest.yaml');
}

test('model.imageEncoder cnn3d: NIfTI volumes from a manifest train a 3-D CNN end to end', async () => {
  const path = await volumeManifest();
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  const cfg = parseExperiment({
    seed: 1,
    workspace,
    data: { kind: 'manifest', path },
    target: 'south',
    preprocess: { window: [-1000, 400], volumeSize: [4, 8, 8] },
    model: { imageEncoder: 'cnn3d', imageFilters: [4, 8], imageEmbed: 8, headHidden: 8 },
    training: { pretrain: { epochs: 2 }, head: { epochs: 1 }, finetune: { epochs: 1 } },
    split: { targetBudget: 10 },
    evaluation: { bootstrapResamples: 20, budgetCurve: [], subgroups: [] },
    methods: [{ name: 'vol', strategy: 'freeze_unfreeze', modalities: ['image', 'tabular'] }],
  });
  const r = await runExperiment(cfg, { runId: 'vol' });
  const model = join(r.runDir, 'models', 'vol');
  const topology = await readFile(join(model, 'model.json'), 'utf8');
  assert.match(topology, /"class_name":"Conv3D"/);
  assert.doesNotMatch(topology, /"class_name":"Conv2D"/);
  const spec = JSON.parse(await readFile(join(model, 'spec.json'), 'utf8'));
  assert.equal(spec.imageEncoder, 'cnn3d');
  assert.deepEqual(spec.volumeShape, [4, 8, 8, 1]);
  const pre = JSON.parse(await readFile(join(model, 'preprocessor.json'), 'utf8'));
  assert.equal(pre.volume?.type, 'volume');
  assert.equal(pre.image, undefined, 'the volume stands in for the 2-D image');
  // One prediction row per target-test subject (plus the header line), each with a probability.
  const predictions = (await readFile(join(r.runDir, 'predictions.csv'), 'utf8')).trim().split('\n').slice(1);
  assert.ok(r.folds[0].partitions.targetTest > 0);
  assert.equal(predictions.length, r.folds[0].partitions.targetTest);
  const testKeys = predictions.map((row) => row.split(',').slice(1, 3).join('/'));
  for (const row of predictions) {
    const score = Number(row.split(',')[4]);
    assert.ok(score >= 0 && score <= 1, row);
  }
  // The volume preprocessor never saw a target-test subject.
  assert.ok(pre.volume.nFit > 0);
  assert.ok(!testKeys.some((k) => pre.fittedOn.includes(k)), 'fitted on training subjects only');
  assert.ok(Number.isFinite(r.folds[0].methods[0].evaluation.auroc));
  // The catalog keeps references; reading with volumes gives each subject its whole [z, y, x] volume and its middle slice.
  const catalog = await Catalog.open(workspace);
  try {
    const cohort = await readCatalogCohort(catalog, 'volumes', ['north', 'south'], { images: true, volumes: true });
    const s = cohort.samples[0];
    assert.deepEqual([s.volume?.depth, s.volume?.height, s.volume?.width, s.volume?.channels], [NZ, NY, NX, 1]);
    assert.deepEqual([s.image?.height, s.image?.width], [NY, NX]);
    const plain = await readCatalogCohort(catalog, 'volumes', ['north'], { images: true });
    assert.equal(plain.samples[0].volume, undefined, 'volumes are read only when asked for');
  } finally {
    catalog.close();
  }
});

test('model.imageEncoder cnn3d on the 2-D synthetic cohort is refused, naming the key', async () => {
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  const cfg = parseExperiment({ workspace, data: { kind: 'synthetic', imageSize: 16 }, preprocess: { imageSize: 16 }, model: { imageEncoder: 'cnn3d' }, evaluation: { budgetCurve: [] }, methods: [{ name: 'v', strategy: 'target_only', modalities: ['image'] }] });
  await assert.rejects(runExperiment(cfg, { runId: 'v' }), /model\.imageEncoder: cnn3d needs volumes, but no subject of the synthetic cohort has one/);
});

test('model.imageEncoder cnn3d with model.backbone is a config error', () => {
  assert.throws(() => parseExperiment({ model: { imageEncoder: 'cnn3d', backbone: { onnx: 'x.onnx', inputShape: [8, 8, 3] } } }), /model\.imageEncoder: cnn3d trains a CNN on volumes/);
});
