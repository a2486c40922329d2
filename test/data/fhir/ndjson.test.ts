import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFhirTable } from '../../../src/data/fhir/ndjson.js';
import { fhirSourceSchema } from '../../../src/data/manifest/schema.js';
import { TableReadError } from '../../../src/data/tables/types.js';

const FOLDER = 'test/fixtures/fhir';

test('one row per patient from FHIRPath mappings with latest, mean, count and present', async () => {
  const source = fhirSourceSchema.parse({
    folder: FOLDER,
    columns: {
      sex: { resource: 'Patient', path: 'gender', aggregate: 'first' },
      birth: { resource: 'Patient', path: 'birthDate', aggregate: 'first' },
      creat_latest: { resource: 'Observation', code: '2160-0' },
      creat_n: { resource: 'Observation', code: '2160-0', aggregate: 'count' },
      sbp_mean: { resource: 'Observation', code: '8480-6', aggregate: 'mean' },
      sbp_high: { resource: 'Observation', code: '8480-6', where: 'valueQuantity.value > 130', aggregate: 'present' },
      diabetes: { resource: 'Condition', code: ['44054006', 'E11'], aggregate: 'present' },
    },
  });
  const t = await readFhirTable(source);
  assert.deepEqual(t.columns, ['id', 'sex', 'birth', 'creat_latest', 'creat_n', 'sbp_mean', 'sbp_high', 'diabetes']);
  assert.deepEqual(
    t.rows.map((r) => r.values),
    [
      // pat-1: latest creatinine is 2021's 1.5 although it is not the last line; mean SBP (120+140)/2.
      { id: 'pat-1', sex: 'female', birth: '1960-04-02', creat_latest: 1.5, creat_n: 3, sbp_mean: 130, sbp_high: 1, diabetes: 0 },
      { id: 'pat-2', sex: 'male', birth: '1955-11-30', creat_latest: 0.8, creat_n: 1, sbp_mean: 150, sbp_high: 1, diabetes: 1 },
      { id: 'pat-3', sex: 'male', birth: '1971-01-15', creat_latest: null, creat_n: 0, sbp_mean: null, sbp_high: 0, diabetes: 1 },
    ],
  );
  assert.deepEqual(t.rows.map((r) => r.where), ['Patient/pat-1', 'Patient/pat-2', 'Patient/pat-3']);
  assert.deepEqual(
    t.rejected.map((r) => [r.file, r.where]),
    [
      [`${FOLDER}/Observation.ndjson`, 'line 8'],
      [`${FOLDER}/Observation.ndjson`, 'line 9'],
    ],
  );
  assert.match(t.rejected.find((r) => r.where === 'line 9')?.reason ?? '', /not valid JSON/);
  assert.match(t.rejected.find((r) => r.where === 'line 8')?.reason ?? '', /refers to Patient\/pat-9, which is not in the export/);
  assert.deepEqual(t.files, ['Patient.ndjson', 'Observation.ndjson', 'Condition.ndjson'].map((f) => `${FOLDER}/${f}`));
});

test('mapping errors name the folder and the column', async () => {
  await assert.rejects(readFhirTable(fhirSourceSchema.parse({ folder: FOLDER, columns: { x: { resource: 'Condition', aggregate: 'latest' } } })), /fhir: columns\.x: a Condition column with aggregate 'latest' needs path/);
  await assert.rejects(readFhirTable(fhirSourceSchema.parse({ folder: FOLDER, columns: { x: { resource: 'Patient', path: 'gender.(((' } } })), /columns\.x\.path: invalid FHIRPath/);
  await assert.rejects(readFhirTable(fhirSourceSchema.parse({ folder: 'test/fixtures/tables', columns: {} })), (e: Error) => e instanceof TableReadError && /tables: no Patient\.ndjson/.test(e.message));
});
