import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalUnit, convertUnit, findConversion, UnitConversionError } from '../../src/data/units.js';

test('converts lengths, concentrations, ages and temperatures, both directions', () => {
  assert.equal(convertUnit(1.23, 'cm', 'mm'), 12.3);
  assert.equal(convertUnit(0.57, 'cm', 'mm'), 5.7, 'no 5.699999999999999 float noise');
  assert.equal(convertUnit(12.3, 'mm', 'cm'), 1.23);
  assert.equal(convertUnit(1, 'in', 'mm'), 25.4);
  assert.equal(convertUnit(3.1, 'ug/L', 'ng/mL'), 3.1);
  assert.equal(convertUnit(0.0031, 'ug/mL', 'ng/mL'), 3.1);
  assert.equal(convertUnit(18, 'months', 'years'), 1.5);
  assert.equal(convertUnit(212, 'degF', 'degC'), 100);
  assert.equal(convertUnit(37, 'degC', 'degF'), 98.6);
  assert.equal(convertUnit(7, 'mm', 'mm'), 7);
});

test('accepts common spellings', () => {
  assert.equal(canonicalUnit(' Centimeters '), 'cm');
  assert.equal(canonicalUnit('µg/L'), 'ug/L');
  assert.equal(canonicalUnit('kg/m²'), 'kg/m2');
  assert.deepEqual(findConversion('CM', 'millimetre'), { factor: 10, offset: 0 });
});

test('unknown units and impossible conversions fail naming site, column and unit', () => {
  assert.throws(
    () => convertUnit(1, 'furlong', 'mm', { site: 'hosp_x', column: 'nodule_diameter_mm' }),
    (e: Error) =>
      e instanceof UnitConversionError &&
      /column 'nodule_diameter_mm' at site 'hosp_x' from unit 'furlong' to 'mm': unknown unit 'furlong'/.test(e.message),
  );
  assert.throws(() => convertUnit(1, 'kg', 'mm'), /from unit 'kg' to 'mm': no conversion between these units is known/);
  // Molar conversions need a molar mass, which a unit table cannot know.
  assert.equal(findConversion('mg/dL', 'mmol/L'), undefined);
});
