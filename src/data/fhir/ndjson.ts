import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';
import type { FhirColumn, FhirSource } from '../manifest/schema.js';
import { TableReadError, type RejectedRow, type SourceRow, type TableData } from '../tables/types.js';
import type { TabularValue } from '../types.js';

type Resource = Record<string, unknown> & { resourceType: string; id?: string };
type Compiled = (resource: unknown) => unknown[];

const RESOURCE_TYPES = ['Patient', 'Observation', 'Condition'] as const;

/** Default FHIRPath of the time `latest` orders by, per resource type. */
const DEFAULT_TIME: Record<string, string> = {
  Observation: 'effectiveDateTime | effectiveInstant | effectivePeriod.start | issued',
  Condition: 'onsetDateTime | onsetPeriod.start | recordedDate',
  Patient: 'meta.lastUpdated',
};

/** Default FHIRPath of the value, per resource type (a Condition's value is its presence). */
const DEFAULT_PATH: Record<string, string | undefined> = { Observation: 'valueQuantity.value' };

interface Located {
  readonly resource: Resource;
  readonly file: string;
  readonly line: number;
}

/** The NDJSON files of one resource type in a Bulk Data export folder (`Patient.ndjson`, `Patient.1.ndjson`, …). */
async function filesOf(folder: string, type: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (e) {
    throw new TableReadError(`${folder}: cannot read the FHIR export folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const re = new RegExp(`^${type}(\\.[^.]+)?\\.ndjson$`);
  return names.filter((n) => re.test(n)).sort().map((n) => join(folder, n));
}

async function readResources(files: readonly string[], type: string, rejected: RejectedRow[]): Promise<Located[]> {
  const out: Located[] = [];
  for (const file of files) {
    const lines = (await readFile(file, 'utf8')).split(/\r?\n/);
    lines.forEach((text, i) => {
      if (text.trim() === '') return;
      let r: unknown;
      try {
        r = JSON.parse(text);
      } catch (e) {
        rejected.push({ file, where: `line ${i + 1}`, reason: `not valid JSON (${(e as Error).message.split('\n')[0]})` });
        return;
      }
      const res = r as Resource;
      if (r === null || typeof r !== 'object' || res.resourceType !== type) {
        rejected.push({ file, where: `line ${i + 1}`, reason: `expected a ${type} resource, got ${r !== null && typeof r === 'object' ? String(res.resourceType) : typeof r}` });
        return;
      }
      out.push({ resource: res, file, line: i + 1 });
    });
  }
  return out;
}

function compile(expr: string, what: string, folder: string): Compiled {
  try {
    const f = fhirpath.compile(expr, r4 as never);
    return (resource) => f(resource as never) as unknown[];
  } catch (e) {
    throw new TableReadError(`${folder}: ${what}: invalid FHIRPath '${expr}': ${(e as Error).message.split('\n')[0]}`);
  }
}

function patientIdOf(ref: unknown): string | undefined {
  if (typeof ref !== 'string') return undefined;
  const k = ref.lastIndexOf('/');
  return k >= 0 ? ref.slice(k + 1) : ref.startsWith('urn:uuid:') ? ref.slice(9) : ref;
}

function primitive(v: unknown): TabularValue | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return v;
  // fhirpath wraps decimals and dates in its own types, which print as their FHIR text.
  const s = (v as { toString(): string }).toString();
  return s === '[object Object]' ? undefined : s;
}

interface ColumnPlan {
  readonly name: string;
  readonly spec: FhirColumn;
  readonly codes?: ReadonlySet<string>;
  readonly where?: Compiled;
  readonly path?: Compiled;
  readonly time: Compiled;
}

/**
 * Reads a FHIR R4 Bulk Data export (Patient, Observation, Condition NDJSON) into one row per
 * patient: column `id` is Patient.id, every other column follows its declared FHIRPath mapping and
 * aggregation. Unreadable lines and resources for unknown patients come back as rejected rows.
 */
export async function readFhirTable(source: FhirSource): Promise<TableData> {
  const folder = source.folder;
  const rejected: RejectedRow[] = [];
  const plans: ColumnPlan[] = Object.entries(source.columns).map(([name, spec]) => {
    if (name === 'id') throw new TableReadError(`${folder}: columns.id: 'id' is reserved for Patient.id`);
    const pathExpr = spec.path ?? DEFAULT_PATH[spec.resource];
    if (pathExpr === undefined && spec.aggregate !== 'present' && spec.aggregate !== 'count') {
      throw new TableReadError(`${folder}: columns.${name}: a ${spec.resource} column with aggregate '${spec.aggregate}' needs path (a FHIRPath to the value)`);
    }
    return {
      name,
      spec,
      codes: spec.code === undefined ? undefined : new Set(Array.isArray(spec.code) ? spec.code : [spec.code]),
      where: spec.where === undefined ? undefined : compile(spec.where, `columns.${name}.where`, folder),
      path: pathExpr === undefined ? undefined : compile(pathExpr, `columns.${name}.path`, folder),
      time: compile(spec.time ?? DEFAULT_TIME[spec.resource], `columns.${name}.time`, folder),
    };
  });
  const files: string[] = [];
  const byType = new Map<string, Located[]>();
  for (const type of RESOURCE_TYPES) {
    const fs = await filesOf(folder, type);
    if (type === 'Patient' && fs.length === 0) throw new TableReadError(`${folder}: no Patient.ndjson in the FHIR export folder`);
    files.push(...fs);
    byType.set(type, await readResources(fs, type, rejected));
  }
  const patients = new Map<string, Located>();
  for (const p of byType.get('Patient') ?? []) {
    const id = p.resource.id;
    if (typeof id !== 'string' || id === '') rejected.push({ file: p.file, where: `line ${p.line}`, reason: 'Patient without an id' });
    else if (patients.has(id)) rejected.push({ file: p.file, where: `line ${p.line}`, reason: `Patient/${id} appears again (first at line ${patients.get(id)?.line})` });
    else patients.set(id, p);
  }
  const linked = new Map<string, Map<string, Located[]>>();
  for (const type of ['Observation', 'Condition']) {
    const m = new Map<string, Located[]>();
    for (const r of byType.get(type) ?? []) {
      const pid = patientIdOf((r.resource.subject as { reference?: unknown } | undefined)?.reference);
      if (pid === undefined || !patients.has(pid)) {
        rejected.push({ file: r.file, where: `line ${r.line}`, reason: pid === undefined ? `${type} without subject.reference` : `${type} refers to Patient/${pid}, which is not in the export` });
        continue;
      }
      const list = m.get(pid) ?? [];
      list.push(r);
      m.set(pid, list);
    }
    linked.set(type, m);
  }
  const rows: SourceRow[] = [];
  for (const [id, p] of patients) {
    const values: Record<string, TabularValue> = { id };
    for (const plan of plans) {
      const pool = plan.spec.resource === 'Patient' ? [p] : (linked.get(plan.spec.resource)?.get(id) ?? []);
      values[plan.name] = aggregate(plan, pool.filter((r) => matches(plan, r.resource)));
    }
    rows.push({ line: p.line, where: `Patient/${id}`, values });
  }
  const lineOf = (r: RejectedRow) => Number(r.where.replace(/\D+/g, ''));
  rejected.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || lineOf(a) - lineOf(b));
  return { source: folder, files, columns: ['id', ...plans.map((p) => p.name)], rows, rejected };
}

function matches(plan: ColumnPlan, r: Resource): boolean {
  if (plan.codes) {
    const coding = ((r.code as { coding?: { code?: unknown }[] } | undefined)?.coding ?? []).map((c) => c.code);
    if (!coding.some((c) => typeof c === 'string' && plan.codes?.has(c))) return false;
  }
  if (plan.where) {
    const v = plan.where(r);
    if (!(v.length === 1 && v[0] === true)) return false;
  }
  return true;
}

function valueOf(plan: ColumnPlan, r: Located): TabularValue | undefined {
  if (!plan.path) return undefined;
  const vs = plan.path(r.resource);
  if (vs.length === 0) return undefined;
  const v = primitive(vs[0]);
  if (v === undefined) throw new TableReadError(`${r.file} line ${r.line}: columns.${plan.name}: the path gives a ${typeof vs[0]} that is not a value; end the path at a primitive (e.g. .value)`);
  return v;
}

function aggregate(plan: ColumnPlan, pool: readonly Located[]): TabularValue {
  switch (plan.spec.aggregate) {
    case 'present':
      return pool.length > 0 ? 1 : 0;
    case 'count':
      return pool.length;
    case 'first': {
      for (const r of pool) {
        const v = valueOf(plan, r);
        if (v !== undefined) return v;
      }
      return null;
    }
    case 'mean': {
      const xs = pool.map((r) => valueOf(plan, r)).filter((v): v is number => typeof v === 'number');
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    }
    case 'latest': {
      let best: { t: string; v: TabularValue } | undefined;
      for (const r of pool) {
        const v = valueOf(plan, r);
        if (v === undefined) continue;
        const t = String(primitive(plan.time(r.resource)[0]) ?? '');
        // ISO-8601 instants of one export compare correctly as text; ties keep the later line.
        if (!best || t >= best.t) best = { t, v };
      }
      return best ? best.v : null;
    }
  }
}
