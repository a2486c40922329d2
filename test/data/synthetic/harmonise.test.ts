import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SYNTHETIC_SITES, generateSyntheticCohort, harmoniseUnits } from '../../../src/data/synthetic/index.js';
import type { Cohort } from '../../../src/data/types.js';
import { UnitConversionError } from '../../../src/data/units.js';

const cohort = generateSyntheticCohort({ seed: 5, imageSize: 32, sites: DEFAULT_SYNTHETIC_SITES.map((s) => ({ ...s, n: 60 })) });

test('hosp_c diameters go from cm to mm; other sites and columns are untouched; recordedUnits is cleared', () => {
  assert.deepEqual(cohort.sites.find((s) => s.id === 'hosp_c')?.recordedUnits, { nodule_diameter_mm: 'cm' });
  const before = structuredClone(cohort.samples.map((s) => s.tabular));
  const h = harmoniseUnits(cohort);
  assert.deepStrictEqual(
    cohort.samples.map((s) => s.tabular),
    before,
    'the input is not modified',
  );
  let converted = 0;
  h.samples.forEach((s, i) => {
    const orig = cohort.samples[i];
    assert.equal(s.image, orig.image, 'images are shared, not copied');
    const d0 = orig.tabular?.nodule_diameter_mm;
    const d1 = s.tabular?.nodule_diameter_mm;
    if (s.siteId === 'hosp_c' && typeof d0 === 'number') {
      assert.equal(d1, Number((d0 * 10).toFixed(1)), `${s.subjectId}: ${d0} cm -> ${d1} mm`);
      converted++;
    } else {
      assert.equal(d1, d0);
    }
    assert.deepStrictEqual({ ...s.tabular, nodule_diameter_mm: null }, { ...orig.tabular, nodule_diameter_mm: null });
  });
  assert.ok(converted > 40);
  for (const s of h.sites) assert.equal(s.recordedUnits, undefined);
  assert.deepEqual(h.sites.find((s) => s.id === 'hosp_b')?.missingColumns, ['family_history'], 'missingColumns is kept');
  // After harmonisation every site's diameters live on the same scale.
  const median = (site: string) => {
    const v = h.samples.filter((s) => s.siteId === site).map((s) => s.tabular?.nodule_diameter_mm).filter((x): x is number => typeof x === 'number');
    return v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
  };
  for (const site of ['hosp_a', 'hosp_b', 'hosp_c', 'hosp_d']) assert.ok(median(site) > 6 && median(site) < 16, `${site}: ${median(site)} mm`);
  assert.deepStrictEqual(harmoniseUnits(h), h, 'harmonising twice changes nothing');
});

test('an unknown unit fails before anything is converted, naming the site, column and unit', () => {
  const bad: Cohort = {
    ...cohort,
    sites: cohort.sites.map((s) => (s.id === 'hosp_a' ? { ...s, recordedUnits: { cea_ng_ml: 'bananas/L' } } : s)),
  };
  assert.throws(
    () => harmoniseUnits(bad),
    (e: Error) => e instanceof UnitConversionError && /column 'cea_ng_ml' at site 'hosp_a' from unit 'bananas\/L' to 'ng\/mL'/.test(e.message),
  );
  const wrongColumn: Cohort = { ...cohort, sites: [{ id: 'hosp_a', recordedUnits: { sex: 'cm' } }, ...cohort.sites.slice(1)] };
  assert.throws(() => harmoniseUnits(wrongColumn), /site 'hosp_a' gives unit 'cm' for column 'sex', which is categorical without a unit/);
  const noColumn: Cohort = { ...cohort, sites: [{ id: 'hosp_a', recordedUnits: { height: 'cm' } }, ...cohort.sites.slice(1)] };
  assert.throws(() => harmoniseUnits(noColumn), /site 'hosp_a' records column 'height' in 'cm', but the schema has no such column/);
});

test('a spelled-out or identity unit is accepted', () => {
  const spelled: Cohort = {
    ...cohort,
    sites: cohort.sites.map((s) => (s.id === 'hosp_c' ? { ...s, recordedUnits: { nodule_diameter_mm: 'centimetres', cea_ng_ml: 'µg/L' } } : s)),
  };
  assert.deepStrictEqual(harmoniseUnits(spelled).samples, harmoniseUnits(cohort).samples);
});
