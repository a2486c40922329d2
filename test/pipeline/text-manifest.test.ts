import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseExperiment } from '../../src/config/experiment.js';
import { Catalog, readCatalogCohort } from '../../src/data/catalog/index.js';
import { ManifestError } from '../../src/data/manifest/index.js';
import { runExperiment } from '../../src/pipeline/experiment.js';
import { Rng } from '../../src/util/random.js';

/** Two sites whose label shows in x and, more clearly, in a free-text note; `text: { column: note }` declares the notes. */
async function notesManifest(textColumn = 'note'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-notes-'));
  const rng = new Rng(9);
  for (const [site, shift] of [['north', 0], ['south', 0.5]] as const) {
    const rows = ['pid,x,note,dx'];
    for (let i = 0; i < 80; i++) {
      const y = rng.uniform() < 0.5;
      const x = rng.normal() + shift + (y ? 0.3 : 0);
      // Every fifth subject has no note, so notes can be missing for some subjects.
      const note = i % 5 === 4 ? '' : y ? '"spiculated nodule, growing; refer"' : '"stable calcified granuloma, benign"';
      rows.push(`${site}${i},${x.toFixed(3)},${note},${y ? 'yes' : 'no'}`);
    }
    await writeFile(join(dir, `${site}.csv`), `${rows.join('\n')}\n`);
  }
  await writeFile(
    join(dir, 'manifest.yaml'),
    `name: notes
schema:
  - { name: x, kind: numeric }
defaults:
  subjectId: { column: pid }
  label: { column: dx, positive: [yes], negative: [no] }
  text: { column: ${textColumn} }
sites:
  - { id: north, tables: [{ path: north.csv }] }
  - { id: south, tables: [{ path: south.csv }] }
`,
  );
  return join(dir, 'manifest.yaml');
}

const FAST = {
  training: { pretrain: { epochs: 3 }, head: { epochs: 2 }, finetune: { epochs: 2 }, scratch: { epochs: 3 } },
  evaluation: { bootstrapResamples: 20, budgetCurve: [] },
  split: { targetBudget: 30 },
};

test('a manifest text column reaches the cohort and a text method trains on the notes', async () => {
  const path = await notesManifest();
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  const cfg = parseExperiment({
    workspace,
    data: { kind: 'manifest', path },
    target: 'south',
    ...FAST,
    methods: [{ name: 'notes', strategy: 'freeze_unfreeze', modalities: ['tabular', 'text'] }],
  });
  const r = await runExperiment(cfg, { runId: 'notes' });
  const catalog = await Catalog.open(workspace);
  try {
    const cohort = await readCatalogCohort(catalog, 'notes', ['north', 'south']);
    assert.equal(cohort.samples.filter((s) => s.text !== undefined).length, 128, '4 of every 5 of 160 subjects have a note');
    assert.match(cohort.samples.find((s) => s.subjectId === 'north0')?.text ?? '', /^(spiculated nodule, growing; refer|stable calcified granuloma, benign)$/);
  } finally {
    catalog.close();
  }
  const pre = JSON.parse(await readFile(join(r.runDir, 'models', 'notes', 'preprocessor.json'), 'utf8'));
  assert.equal(pre.text?.type, 'text');
  const spec = JSON.parse(await readFile(join(r.runDir, 'models', 'notes', 'spec.json'), 'utf8'));
  assert.equal(spec.textDim, pre.text.dim);
  // 32 south test subjects, every fifth without a note (the split decides exactly which ones).
  const missing = r.folds[0].methods[0].missingModalities.text ?? -1;
  assert.ok(missing > 0 && missing < r.folds[0].partitions.targetTest, `some but not all test subjects lack a note (got ${missing})`);
});

test('a declared text column that no table has is a manifest error naming the site, the key and the nearest header', async () => {
  const path = await notesManifest('notes_typo');
  const workspace = await mkdtemp(join(tmpdir(), 'medtl-ws-'));
  const cfg = parseExperiment({ workspace, data: { kind: 'manifest', path }, target: 'south', ...FAST, methods: [{ name: 'notes', strategy: 'target_only', modalities: ['tabular', 'text'] }] });
  await assert.rejects(runExperiment(cfg, { runId: 'typo' }), (e: Error) => e instanceof ManifestError && /site 'north' \(.*\): text\.column: no table of the site has a column 'notes_typo'; nearest headers: 'note'/.test(e.message));
});
