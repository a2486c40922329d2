import type { Rng } from '../../util/random.js';
import type { TabularRecord, TabularValue } from '../types.js';
import { applyConversion, canonicalUnit, requireConversion } from '../units.js';
import type { SubjectLatents } from './latent.js';
import { LUNG_NODULE_SCHEMA } from './schema.js';
import type { SyntheticSiteSpec } from './spec.js';

function round(x: number, step: number): number {
  // Dividing by the inverse step keeps decimal steps exact (0.1 * 123 would give 12.300000000000001).
  const inv = Math.round(1 / step);
  return Math.round(x * inv) / inv;
}

/**
 * Probability that each column is blank, given the subject: MCAR for most columns, MAR for
 * pack_years (never-smokers are rarely asked) and CEA (ordered less often for younger patients).
 */
function missingProbability(column: string, lat: SubjectLatents): number {
  switch (column) {
    case 'age':
      return 0.01;
    case 'sex':
      return 0.005;
    case 'pack_years':
      return lat.smoker ? 0.06 : 0.3;
    case 'family_history':
      return 0.08;
    case 'nodule_diameter_mm':
      return 0.03;
    case 'cea_ng_ml':
      return lat.age < 60 ? 0.2 : 0.08;
    case 'emphysema':
      return 0.04;
    case 'bmi':
      return 0.07;
    default:
      return 0;
  }
}

/** The record as it would be measured, in canonical units, before missingness and site conventions. */
function measure(lat: SubjectLatents, rng: Rng): Record<string, number | string> {
  return {
    age: Math.floor(lat.age),
    sex: lat.female ? 'F' : 'M',
    // Self-report is noisy and rounded to whole pack-years.
    pack_years: lat.smoker ? Math.max(1, Math.round(lat.packYears * Math.exp(rng.normal(0, 0.25)))) : 0,
    family_history: lat.familyHistory ? 1 : 0,
    // Calliper error has a relative part and an absolute part (about a pixel of a clinical scan).
    nodule_diameter_mm: Math.max(2, round(lat.diameterMm * Math.exp(rng.normal(0, 0.08)) + rng.normal(0, 0.6), 0.1)),
    cea_ng_ml: Math.max(0.1, round(lat.ceaNgMl * Math.exp(rng.normal(0, 0.05)), 0.1)),
    emphysema: lat.emphysema ? 1 : 0,
    bmi: round(lat.bmi, 0.1),
  };
}

/** Recording precision (step) of a numeric column in a non-canonical unit, so converted values look hand-entered. */
const RECORDED_STEP: Readonly<Record<string, number>> = Object.freeze({ cm: 0.01, m: 0.0001, in: 0.01, months: 1 });

/**
 * Produces one subject's record as the site records it: blanks drawn per column, columns the site
 * does not collect set to null, and values converted to the site's recorded units.
 */
export function makeRecord(lat: SubjectLatents, site: SyntheticSiteSpec, rng: Rng): TabularRecord {
  const measured = measure(lat, rng);
  const out: Record<string, TabularValue> = {};
  for (const col of LUNG_NODULE_SCHEMA) {
    // Draw the blank flag for every column, even uncollected ones, so site conventions do not shift the stream.
    const blank = rng.bernoulli(missingProbability(col.name, lat));
    if (blank || site.missingColumns.includes(col.name)) {
      out[col.name] = null;
      continue;
    }
    let value = measured[col.name];
    const recorded = site.recordedUnits[col.name];
    if (recorded !== undefined && typeof value === 'number' && col.unit !== undefined) {
      const conv = requireConversion(col.unit, recorded, { site: site.id, column: col.name });
      const step = RECORDED_STEP[canonicalUnit(recorded) ?? recorded];
      value = applyConversion(value, conv);
      if (step !== undefined) value = round(value, step);
    }
    out[col.name] = value;
  }
  return out;
}
