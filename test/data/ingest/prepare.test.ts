import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadManifestCohort } from '../../../src/data/manifest/index.js';
import { idKey, valueKey } from '../../../src/data/ingest/prepare.js';

/** A manifest over the hand-written table and FHIR fixtures, with three differently recorded sites. */
async function manifest(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'medtl-prepare-'));
  const file = join(dir, 'manifest.yaml');
  await writeFile(
    file,
    `name: mixed
root: ${resolve('test/fixtures')}
schema:
  - { name: sex, kind: binary, description: 1 = male }
  - { name: creat, kind: numeric, unit: umol/L, analyte: creatinine }
  - { name: weight, kind: numeric, unit: kg }
  - { name: smoker, kind: binary }
sites:
  - id: fhir
    tables:
      - fhir:
          folder: fhir
          columns:
            gender: { resource: Patient, path: gender, aggregate: first }
            creat_mgdl: { resource: Observation, code: '2160-0' }
            diabetes: { resource: Condition, code: '44054006', aggregate: present }
    subjectId: { column: id }
    label: { expression: 'diabetes = 1' }
    columns:
      sex: { from: gender, recode: { female: 0, male: 1 } }
      creat: { from: creat_mgdl, unit: mg/dL }
  - id: csv
    tables: [{ path: tables/site-a.csv }]
    subjectId: { column: pid }
    label: { column: dx, positive: [1] }
    columns:
      creat: { from: creat_mgdl, unit: mg/dL }
      smoker: { recode: { 'yes': 1, 'no': 0 } }
  - id: tsv
    tables: [{ path: tables/site-b.tsv, missing: ['-'] }]
    subjectId: { column: subject }
    label: { column: outcome, positive: [pos], negative: [neg] }
    columns:
      weight: { from: weight_lb, unit: lb }
`,
  );
  return file;
}

test('FHIR, CSV and TSV sites map to one shared schema in canonical units', async () => {
  const { cohort, quarantine } = await loadManifestCohort(await manifest());
  const rec = (site: string, id: string) => cohort.samples.find((s) => s.siteId === site && s.subjectId === id);
  // FHIR: latest creatinine 1.5 mg/dL × 88.4016 = 132.60 µmol/L; label from the Condition via FHIRPath.
  const p1 = rec('fhir', 'pat-1');
  assert.equal(p1?.label, 0);
  assert.equal(p1?.tabular?.sex, 0);
  // 1e-2 covers rounding the expected value to 2 decimals.
  assert.ok(Math.abs((p1?.tabular?.creat as number) - 132.6) < 1e-2);
  assert.equal(rec('fhir', 'pat-3')?.label, 1);
  assert.equal(rec('fhir', 'pat-3')?.tabular?.creat, null);
  // CSV: 1.1 mg/dL → 97.24 µmol/L, smoker yes → 1, the empty smoker cell of A3 is missing.
  assert.ok(Math.abs((rec('csv', 'A1')?.tabular?.creat as number) - 97.24) < 1e-2);
  assert.equal(rec('csv', 'A1')?.tabular?.smoker, 1);
  assert.equal(rec('csv', 'A3')?.tabular?.smoker, null);
  // TSV: 154 lb × 0.45359237 = 69.853 kg; '-' is missing.
  assert.ok(Math.abs((rec('tsv', 'T1')?.tabular?.weight as number) - 69.8532) < 1e-3);
  assert.equal(rec('tsv', 'T3')?.tabular?.weight, null);
  assert.deepEqual(cohort.samples.filter((s) => s.siteId === 'tsv').map((s) => s.label), [1, 0, 1]);
  assert.deepEqual(cohort.sites.map((s) => [s.id, s.missingColumns ?? [], s.recordedUnits ?? {}]), [
    ['fhir', ['weight', 'smoker'], { creat: 'mg/dL' }],
    ['csv', ['sex', 'weight'], { creat: 'mg/dL' }],
    ['tsv', ['sex', 'creat', 'smoker'], { weight: 'lb' }],
  ]);
  // The two bad NDJSON lines of the FHIR fixture are quarantined with file and line.
  assert.deepEqual(quarantine.map((q) => [q.site, q.item.replace(`${resolve('test/fixtures')}/`, '')]), [
    ['fhir', 'fhir/Observation.ndjson line 8'],
    ['fhir', 'fhir/Observation.ndjson line 9'],
  ]);
});

test('identifiers keep their written form; compared values are canonical', () => {
  assert.equal(idKey(' 0042 '), '0042');
  assert.equal(idKey(42), '42');
  assert.equal(valueKey('1.0'), '1');
});
