import { findConversion, type UnitConversion } from '../units.js';

/**
 * Molar masses (g/mol) of the analytes whose mass concentration (mg/dL) converts to a molar one
 * (mmol/L or µmol/L): mmol/L = mg/dL × 10 / M.
 */
const MOLAR_MASS: Readonly<Record<string, number>> = Object.freeze({
  creatinine: 113.12,
  cholesterol: 386.65,
  glucose: 180.16,
  triglycerides: 885.7,
  urea: 60.06,
  'uric acid': 168.11,
  bilirubin: 584.66,
});

function normalise(unit: string): string {
  return unit.trim().toLowerCase().replace(/[µμ]/g, 'u').replace(/\s+/g, '');
}

/** The analytes with a known molar mass, for error messages and docs. */
export const KNOWN_ANALYTES: readonly string[] = Object.keys(MOLAR_MASS);

/**
 * The conversion between a site's unit and the shared unit, or undefined when none is known:
 * identical spellings, the generic table in src/data/units.ts, then mg/dL ↔ mmol/L or µmol/L for
 * an analyte with a known molar mass.
 */
export function findColumnConversion(from: string, to: string, analyte?: string): UnitConversion | undefined {
  const f = normalise(from);
  const t = normalise(to);
  if (f === t) return { factor: 1, offset: 0 };
  const generic = findConversion(from, to);
  if (generic) return generic;
  const mass = analyte === undefined ? undefined : MOLAR_MASS[analyte.trim().toLowerCase()];
  if (mass === undefined) return undefined;
  const molar: Record<string, number> = { 'mmol/l': 10 / mass, 'umol/l': 10_000 / mass };
  if (f === 'mg/dl' && molar[t] !== undefined) return { factor: molar[t], offset: 0 };
  if (t === 'mg/dl' && molar[f] !== undefined) return { factor: 1 / molar[f], offset: 0 };
  return undefined;
}
