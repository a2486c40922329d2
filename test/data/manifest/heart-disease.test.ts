import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadManifestCohort, ManifestError } from '../../../src/data/manifest/index.js';

const MANIFEST = 'examples/heart-disease/manifest.yaml';
const FIXTURE = 'test/fixtures/heart-disease';

test('the heart-disease manifest loads the fixture rows of all 4 sites into a typed cohort', async () => {
  const { cohort, quarantine } = await loadManifestCohort(MANIFEST, { root: FIXTURE });
  assert.deepEqual(quarantine, []);
  assert.deepEqual(cohort.sites.map((s) => s.id), ['cleveland', 'hungarian', 'switzerland', 'va']);
  const count = (site: string) => cohort.samples.filter((s) => s.siteId === site).length;
  const positives = (site: string) => cohort.samples.filter((s) => s.siteId === site && s.label === 1).length;
  assert.deepEqual(cohort.sites.map((s) => [count(s.id), positives(s.id)]), [
    [10, 5],
    [10, 0],
    [10, 9],
    [10, 6],
  ]);
  assert.equal(cohort.tabularSchema.length, 13);
  // processed.cleveland.data line 1: 63.0,1.0,1.0,145.0,233.0,1.0,2.0,150.0,0.0,2.3,3.0,0.0,6.0,0
  const first = cohort.samples[0];
  assert.equal(first.subjectId, 'cleveland-1');
  assert.deepEqual(first.tabular, { age: 63, sex: 1, cp: '1', trestbps: 145, chol: 233, fbs: 1, restecg: '2', thalach: 150, exang: 0, oldpeak: 2.3, slope: '3', ca: 0, thal: '6' });
  // processed.hungarian.data line 3: 29,1,2,140,?,0,0,170,0,0,?,?,?,0 — '?' is missing.
  const h3 = cohort.samples.find((s) => s.subjectId === 'hungarian-3');
  assert.equal(h3?.tabular?.chol, null);
  assert.equal(h3?.tabular?.slope, null);
  assert.equal(h3?.tabular?.trestbps, 140);
  // Swiss cholesterol is 0 (= not measured) in every row, so the site lacks it; `ca` is '?' in these 10 rows.
  assert.deepEqual(cohort.sites[2].missingColumns, ['chol', 'ca']);
  assert.ok(cohort.samples.filter((s) => s.siteId === 'switzerland').every((s) => s.tabular?.chol === null));
});

test('the data root comes from --data-root, else the environment variable, else the manifest default', async () => {
  const viaEnv = await loadManifestCohort(MANIFEST, { env: { HEART_DISEASE_DATA: FIXTURE.replace(/^/, `${process.cwd()}/`) } });
  assert.equal(viaEnv.cohort.samples.length, 40);
});

test('a wrong data root is a ManifestError naming every missing file, not 4 quarantined tables and 0 subjects', async () => {
  await assert.rejects(loadManifestCohort(MANIFEST, { root: 'test/fixtures/no-such-folder' }), (e: Error) => {
    assert.ok(e instanceof ManifestError, String(e));
    for (const site of ['cleveland', 'hungarian', 'switzerland', 'va']) {
      assert.match(e.message, new RegExp(`site '${site}' \\(.*manifest\\.yaml\\): tables: .*no-such-folder/processed\\.${site}\\.data: cannot read the table \\(ENOENT\\)`));
    }
    assert.equal(e.message.split('\n').length, 5, 'one line per missing file under the heading');
    return true;
  });
});

const SHARED = '../shared/data/uci-heart-disease';

test('the full UCI data (when ../shared/data is present): 920 patients, 303/294/123/200, label rates as published', { skip: existsSync(join(SHARED, 'processed.va.data')) ? false : `${SHARED} not present (it is not in CI)` }, async () => {
  const { cohort, quarantine } = await loadManifestCohort(MANIFEST, { root: SHARED });
  assert.deepEqual(quarantine, []);
  const bySite = cohort.sites.map((s) => {
    const xs = cohort.samples.filter((x) => x.siteId === s.id);
    return [s.id, xs.length, xs.filter((x) => x.label === 1).length];
  });
  // Counts and num > 0 tallies from the data's SOURCE.md (Cleveland 164 of 303 negative, Hungarian 188 of 294, Switzerland 8 of 123, VA 51 of 200).
  assert.deepEqual(bySite, [
    ['cleveland', 303, 139],
    ['hungarian', 294, 106],
    ['switzerland', 123, 115],
    ['va', 200, 149],
  ]);
  assert.equal(cohort.samples.length, 920);
});
