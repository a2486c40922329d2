import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadManifestCohort } from '../../../src/data/manifest/index.js';

const MANIFEST = 'examples/ncctg-lung/manifest.yaml';
const SHARED = process.env.NCCTG_LUNG_DATA ?? '../shared/data/ncctg-lung';

test('NCCTG lung (when the shared data is present): 18 institution sites from inst; 185 subjects + 42 excluded + 1 quarantined = all 228 rows', { skip: existsSync(join(SHARED, 'lung.csv')) ? false : `${SHARED} not present (it is not in CI)` }, async () => {
  const { cohort, quarantine, excluded } = await loadManifestCohort(MANIFEST, { root: SHARED });
  assert.equal(cohort.sites.length, 18);
  assert.deepEqual(cohort.sites.slice(0, 3).map((s) => s.id), ['lung-1', 'lung-2', 'lung-3']);
  assert.equal(cohort.samples.length, 185);
  // Censored before day 365: no one-year outcome, so excluded rather than counted as a survivor.
  assert.equal(excluded.length, 42);
  assert.ok(excluded.every((x) => x.kind === 'criteria'));
  // The one row with inst = NA (SOURCE.md: 19 distinct values including NA).
  assert.deepEqual(quarantine.map((q) => q.reason), ["site column 'inst' (sitesFrom) is empty"]);
  assert.equal(cohort.samples.length + excluded.length + quarantine.length, 228);
  assert.equal(cohort.samples.filter((s) => s.siteId === 'lung-1').length, 30);
});
