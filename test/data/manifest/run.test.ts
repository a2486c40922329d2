import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { parseExperiment } from '../../../src/config/experiment.js';
import { runExperiment } from '../../../src/pipeline/experiment.js';
import { Rng } from '../../../src/util/random.js';

/** Two sites of a made-up tabular cohort whose label depends on x, written as CSV beside a manifest. */
async function tabularManifest(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-manifest-run-'));
  const rng = new Rng(7);
  for (const [site, shift] of [['north', 0], ['south', 0.5]] as const) {
    const rows = ['pid,x,grade,dx'];
    for (let i = 0; i < 120; i++) {
      const x = rng.normal() + shift;
      const y = x + 0.5 * rng.normal() > shift ? 'yes' : 'no';
      rows.push(`${site}${i},${x.toFixed(3)},${rng.uniform() < 0.5 ? 'a' : 'b'},${y}`);
    }
    await writeFile(join(dir, `${site}.csv`), `${rows.join('\n')}\n`);
  }
  await writeFile(
    join(dir, 'manifest.yaml'),
    `name: toy
schema:
  - { name: x, kind: numeric }
  - { name: grade, kind: categorical, categories: [a, b] }
defaults:
  subjectId: { column: pid }
  label: { column: dx, positive: [yes], negative: [no] }
sites:
  - { id: north, tables: [{ path: north.csv }], exclude: 'x > 1.5' }
  - { id: south, tables: [{ path: south.csv }] }
`,
  );
  return join(dir, 'manifest.yaml');
}

const FAST = {
  training: { pretrain: { epochs: 3 }, head: { epochs: 2 }, finetune: { epochs: 2 }, scratch: { epochs: 3 } },
  evaluation: { bootstrapResamples: 20 },
};

test('medtl run with data.kind manifest runs a tabular-only cohort with the tabular default methods', async () => {
  const path = await tabularManifest();
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  const cfg = parseExperiment({ workspace, data: { kind: 'manifest', path }, target: 'south', ...FAST });
  const result = await runExperiment(cfg, { runId: 'r1' });
  assert.deepEqual(result.folds[0].methods.map((m) => [m.method, m.modalities.join('+')]), [
    ['transfer', 'tabular'],
    ['target_only', 'tabular'],
    ['source_only', 'tabular'],
  ]);
  assert.deepEqual(result.folds[0].sources, ['north']);
  assert.equal(result.cohort.kind, 'manifest');
  // The run record counts the rows the exclusion criterion left out, apart from quarantined ones.
  const north = (await readFile(join(dirname(path), 'north.csv'), 'utf8')).trim().split('\n').slice(1);
  const excluded = north.filter((l) => Number(l.split(',')[1]) > 1.5).length;
  assert.ok(excluded > 0);
  assert.deepEqual(result.cohort.kind === 'manifest' && [result.cohort.subjects, result.cohort.quarantined, result.cohort.excluded], [240 - excluded, 0, excluded]);
  // The run ingested the manifest into the workspace catalog and read the cohort from there.
  assert.ok(existsSync(join(workspace, 'catalog.duckdb')));
  // 120 south subjects, 40% held out for the target test.
  assert.equal(result.folds[0].partitions.targetTest, 48);
});

test('an explicit image method on a tabular-only manifest cohort is rejected by name', async () => {
  const path = await tabularManifest();
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  const cfg = parseExperiment({
    workspace,
    data: { kind: 'manifest', path },
    target: 'south',
    ...FAST,
    methods: [
      { name: 'tab', strategy: 'target_only', modalities: ['tabular'] },
      { name: 'img', strategy: 'target_only', modalities: ['image', 'tabular'] },
    ],
  });
  await assert.rejects(runExperiment(cfg, { runId: 'r2' }), /cohort 'toy' has no images, so method 'img' \(modalities: image\) cannot run/);
});
