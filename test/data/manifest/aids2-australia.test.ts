import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadManifestCohort } from '../../../src/data/manifest/index.js';

const MANIFEST = 'examples/aids2-australia/manifest.yaml';
const SHARED = process.env.AIDS2_DATA ?? '../shared/data/aids2-australia';

test('Aids2 (when the shared data is present): 4 sites from state; subjects + excluded = every row of each state', { skip: existsSync(join(SHARED, 'Aids2.csv')) ? false : `${SHARED} not present (it is not in CI)` }, async () => {
  const { cohort, quarantine, excluded } = await loadManifestCohort(MANIFEST, { root: SHARED });
  const bySite = cohort.sites.map((s) => {
    const xs = cohort.samples.filter((x) => x.siteId === s.id);
    return [s.id, xs.length, xs.filter((x) => x.label === 1).length, excluded.filter((x) => x.site === s.id).length];
  });
  // Rows per state from SOURCE.md: NSW 1780, Other 249, QLD 226, VIC 588.
  assert.deepEqual(bySite, [
    ['aids2-NSW', 1464, 669, 316],
    ['aids2-Other', 202, 79, 47],
    ['aids2-QLD', 187, 94, 39],
    ['aids2-VIC', 445, 177, 143],
  ]);
  assert.deepEqual(quarantine, []);
  assert.equal(cohort.samples.length + excluded.length, 2843);
});
