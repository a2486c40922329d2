import type { Cohort, ColumnSpec, Sample, SiteInfo, TabularRecord, TabularValue } from '../types.js';
import { applyConversion, requireConversion, type UnitConversion } from '../units.js';

/** The conversions one site needs, column -> conversion to the canonical unit; throws naming site/column/unit. */
function siteConversions(site: SiteInfo, schema: ReadonlyMap<string, ColumnSpec>): Map<string, UnitConversion> {
  const out = new Map<string, UnitConversion>();
  for (const [column, unit] of Object.entries(site.recordedUnits ?? {})) {
    const spec = schema.get(column);
    if (spec === undefined) {
      throw new Error(`harmoniseUnits: site '${site.id}' records column '${column}' in '${unit}', but the schema has no such column`);
    }
    if (spec.kind !== 'numeric' || spec.unit === undefined) {
      throw new Error(`harmoniseUnits: site '${site.id}' gives unit '${unit}' for column '${column}', which is ${spec.kind} without a unit`);
    }
    const conv = requireConversion(unit, spec.unit, { site: site.id, column });
    if (conv.factor !== 1 || conv.offset !== 0) out.set(column, conv);
  }
  return out;
}

function convertRecord(sample: Sample, record: TabularRecord, convs: ReadonlyMap<string, UnitConversion>): TabularRecord {
  const out: Record<string, TabularValue> = { ...record };
  for (const [column, conv] of convs) {
    const v = record[column];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number') {
      throw new Error(`harmoniseUnits: subject '${sample.subjectId}' at site '${sample.siteId}': column '${column}' holds ${JSON.stringify(v)}, not a number`);
    }
    out[column] = applyConversion(v, conv);
  }
  return out;
}

/**
 * Converts every site's recorded units to the schema's canonical units (see src/data/units.ts) and
 * clears `recordedUnits`. Checks every site before converting anything; throws naming site, column and
 * unit when a conversion is unknown. The input is not modified; samples that need no change are shared.
 */
export function harmoniseUnits(cohort: Cohort): Cohort {
  const schema = new Map(cohort.tabularSchema.map((c) => [c.name, c]));
  const bySite = new Map(cohort.sites.map((s) => [s.id, siteConversions(s, schema)]));
  const samples = cohort.samples.map((s) => {
    const convs = bySite.get(s.siteId);
    if (convs === undefined || convs.size === 0 || s.tabular === undefined) return s;
    return { ...s, tabular: convertRecord(s, s.tabular, convs) };
  });
  const sites = cohort.sites.map((s) => {
    const { recordedUnits: _dropped, ...rest } = s;
    return rest;
  });
  return { ...cohort, sites, samples };
}
