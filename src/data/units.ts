/** A linear conversion y = factor * x + offset between two units of one quantity. */
export interface UnitConversion {
  readonly factor: number;
  readonly offset: number;
}

/** Where a value being converted comes from, so errors can name it. */
export interface UnitContext {
  readonly site?: string;
  readonly column?: string;
}

/** Thrown when no conversion is known between two units. */
export class UnitConversionError extends Error {
  override readonly name = 'UnitConversionError';
}

/** Spellings accepted for each canonical unit (compared after trimming and lower-casing). */
const ALIASES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  mm: ['mm', 'millimetre', 'millimeter', 'millimetres', 'millimeters'],
  cm: ['cm', 'centimetre', 'centimeter', 'centimetres', 'centimeters'],
  m: ['m', 'metre', 'meter', 'metres', 'meters'],
  in: ['in', 'inch', 'inches'],
  years: ['years', 'year', 'y', 'yr', 'yrs'],
  months: ['months', 'month', 'mo'],
  days: ['days', 'day', 'd'],
  'ng/mL': ['ng/ml'],
  'ug/L': ['ug/l', 'µg/l', 'μg/l', 'mcg/l'],
  'ug/mL': ['ug/ml', 'µg/ml', 'μg/ml', 'mcg/ml'],
  'kg/m2': ['kg/m2', 'kg/m^2', 'kg/m²'],
  'pack-years': ['pack-years', 'pack years', 'pack-year', 'py'],
  kg: ['kg', 'kilogram', 'kilograms'],
  g: ['g', 'gram', 'grams'],
  lb: ['lb', 'lbs', 'pound', 'pounds'],
  'g/L': ['g/l'],
  'g/dL': ['g/dl'],
  'mg/dL': ['mg/dl'],
  'mg/L': ['mg/l'],
  // Enzyme activity: international units and units are the same unit (1 U = 1 µmol/min).
  'U/L': ['u/l', 'iu/l', 'units/l'],
  'mmol/L': ['mmol/l'],
  'umol/L': ['umol/l', 'µmol/l', 'μmol/l', 'micromol/l'],
  degC: ['degc', '°c', 'celsius'],
  degF: ['degf', '°f', 'fahrenheit'],
  HU: ['hu', 'hounsfield'],
  '%': ['%', 'percent'],
  fraction: ['fraction', 'ratio'],
});

const CANONICAL: ReadonlyMap<string, string> = new Map(
  Object.entries(ALIASES).flatMap(([unit, names]) => names.map((n) => [n, unit] as [string, string])),
);

/**
 * Known conversions between canonical spellings, one direction each; inverses are derived.
 * Substance-dependent conversions (e.g. mg/dL to mmol/L) are deliberately absent: they need a molar mass.
 */
const TABLE: readonly (readonly [from: string, to: string, factor: number, offset?: number])[] = [
  ['cm', 'mm', 10],
  ['m', 'mm', 1000],
  ['in', 'mm', 25.4],
  ['m', 'cm', 100],
  ['months', 'years', 1 / 12],
  ['days', 'years', 1 / 365.25],
  ['ug/L', 'ng/mL', 1],
  ['ug/mL', 'ng/mL', 1000],
  ['g', 'kg', 0.001],
  ['lb', 'kg', 0.45359237],
  ['g/dL', 'g/L', 10],
  ['mg/dL', 'mg/L', 10],
  ['degF', 'degC', 5 / 9, (-32 * 5) / 9],
  ['fraction', '%', 100],
];

const CONVERSIONS: ReadonlyMap<string, UnitConversion> = (() => {
  const m = new Map<string, UnitConversion>();
  for (const [from, to, factor, offset = 0] of TABLE) {
    m.set(`${from}->${to}`, { factor, offset });
    m.set(`${to}->${from}`, { factor: 1 / factor, offset: -offset / factor });
  }
  return m;
})();

/** The canonical spelling of a unit, or undefined when the unit is unknown. */
export function canonicalUnit(unit: string): string | undefined {
  return CANONICAL.get(unit.trim().toLowerCase());
}

/** The conversion from one unit to another (identity for the same unit), or undefined when none is known. */
export function findConversion(from: string, to: string): UnitConversion | undefined {
  const f = canonicalUnit(from);
  const t = canonicalUnit(to);
  if (f === undefined || t === undefined) return undefined;
  if (f === t) return { factor: 1, offset: 0 };
  return CONVERSIONS.get(`${f}->${t}`);
}

function describe(ctx: UnitContext | undefined): string {
  const parts: string[] = [];
  if (ctx?.column !== undefined) parts.push(`column '${ctx.column}'`);
  if (ctx?.site !== undefined) parts.push(`at site '${ctx.site}'`);
  return parts.length > 0 ? ` for ${parts.join(' ')}` : '';
}

/** The conversion from one unit to another; throws UnitConversionError naming site, column and units when unknown. */
export function requireConversion(from: string, to: string, ctx?: UnitContext): UnitConversion {
  const conv = findConversion(from, to);
  if (conv !== undefined) return conv;
  const unknown = [from, to].filter((u) => canonicalUnit(u) === undefined).map((u) => `'${u}'`);
  const why = unknown.length > 0 ? `unknown unit ${unknown.join(' and ')}` : 'no conversion between these units is known';
  throw new UnitConversionError(
    `Cannot convert${describe(ctx)} from unit '${from}' to '${to}': ${why} (known conversions are listed in src/data/units.ts)`,
  );
}

/**
 * Applies a conversion, dropping binary floating-point noise beyond 15 significant digits
 * (so 0.57 cm becomes 5.7 mm, not 5.699999999999999).
 */
export function applyConversion(value: number, conv: UnitConversion): number {
  if (conv.factor === 1 && conv.offset === 0) return value;
  const y = conv.factor * value + conv.offset;
  return Number.isFinite(y) ? Number(y.toPrecision(15)) : y;
}

/** Converts one value between units; throws UnitConversionError when no conversion is known. */
export function convertUnit(value: number, from: string, to: string, ctx?: UnitContext): number {
  return applyConversion(value, requireConversion(from, to, ctx));
}
