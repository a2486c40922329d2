import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseExperiment, type ExperimentConfig } from '../config/experiment.js';
import { parseCsv, type CsvTable } from '../util/csv.js';
import { METRICS_SCHEMA_VERSION, type FoldJson, type MetricsJson } from './metrics-json.js';
import type { SiteSummary } from './types.js';
import { RECORD_FILES } from './write.js';

/** A run folder that cannot be read; the message names the file and the row or field. */
export class RunFolderError extends Error {
  override readonly name = 'RunFolderError';
}

/** One method's scores on one test set of one fold, in file order. */
export interface RecordedScores {
  readonly method: string;
  readonly sites: readonly string[];
  readonly subjectIds: readonly string[];
  readonly labels: Float64Array;
  readonly scores: Float64Array;
}

/** Subgroup values of test subjects, keyed by `site/subject_id`. */
export interface SubjectAttributes {
  readonly columns: readonly string[];
  readonly byKey: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/** One fold of a run folder: its metrics and its methods' scores. */
export interface FoldFiles {
  readonly json: FoldJson;
  /** Target-test scores per method (predictions.csv), in the fold's metrics.json method order. */
  readonly targetTest: readonly RecordedScores[];
  /** Source-test scores per method (source-predictions.csv); empty for runs that did not write it. */
  readonly sourceTest: readonly RecordedScores[];
}

/** Everything a finished run folder holds, validated and typed. */
export interface RunFiles {
  readonly dir: string;
  readonly config: ExperimentConfig;
  readonly metrics: MetricsJson;
  readonly sites: readonly SiteSummary[];
  /** Total run time in seconds, from history.json. */
  readonly seconds: number;
  readonly cohortKind: string;
  /** One entry per fold of metrics.json, in its order. */
  readonly folds: readonly FoldFiles[];
  readonly subjects: SubjectAttributes;
}

// The fold id of a record written before protocols existed: it had one hold-out fold and no fold column.
const LEGACY_FOLD = 'holdout';

async function readText(dir: string, name: string): Promise<string> {
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch (e) {
    throw new RunFolderError(`${join(dir, name)}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); is ${dir} a finished medtl run folder?`);
  }
}

async function readJsonFile(dir: string, name: string): Promise<unknown> {
  const text = await readText(dir, name);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RunFolderError(`${join(dir, name)}: not valid JSON: ${(e as Error).message}`);
  }
}

function column(t: CsvTable, file: string, name: string): number {
  const k = t.header.indexOf(name);
  if (k < 0) throw new RunFolderError(`${file}: missing column '${name}'; columns: ${t.header.join(', ')}`);
  return k;
}

/** Parses a predictions file ([fold,]method,site,subject_id,y_true,y_score) into per-fold, per-method scores. */
export function parseMethodScores(text: string, file: string): Map<string, RecordedScores[]> {
  const t = parseCsv(text, file);
  const cf = t.header.indexOf('fold');
  const [cm, cs, ci, cy, cp] = ['method', 'site', 'subject_id', 'y_true', 'y_score'].map((c) => column(t, file, c));
  const by = new Map<string, Map<string, { sites: string[]; ids: string[]; y: number[]; s: number[] }>>();
  t.rows.forEach((r, i) => {
    const y = Number(r[cy]);
    const s = Number(r[cp]);
    if (r[cy].trim() === '' || !(y === 0 || y === 1)) throw new RunFolderError(`${file}, line ${t.lines[i]}: y_true '${r[cy]}' is not 0 or 1`);
    if (r[cp].trim() === '' || !Number.isFinite(s)) throw new RunFolderError(`${file}, line ${t.lines[i]}: y_score '${r[cp]}' is not a number`);
    const fold = cf < 0 ? LEGACY_FOLD : r[cf];
    let f = by.get(fold);
    if (!f) by.set(fold, (f = new Map()));
    let m = f.get(r[cm]);
    if (!m) f.set(r[cm], (m = { sites: [], ids: [], y: [], s: [] }));
    m.sites.push(r[cs]);
    m.ids.push(r[ci]);
    m.y.push(y);
    m.s.push(s);
  });
  return new Map(
    [...by].map(([fold, f]) => [fold, [...f].map(([method, m]) => ({ method, sites: m.sites, subjectIds: m.ids, labels: Float64Array.from(m.y), scores: Float64Array.from(m.s) }))]),
  );
}

function parseSubjects(text: string, file: string): SubjectAttributes {
  const t = parseCsv(text, file);
  const cs = column(t, file, 'site');
  const ci = column(t, file, 'subject_id');
  const columns = t.header.filter((h) => h !== 'fold' && h !== 'site' && h !== 'subject_id' && h !== 'split');
  const byKey = new Map<string, Record<string, string>>();
  for (const r of t.rows) byKey.set(`${r[cs]}/${r[ci]}`, Object.fromEntries(columns.map((c) => [c, r[t.header.indexOf(c)]])));
  return { columns, byKey };
}

/**
 * A metrics document in today's layout: a version-1 document (one hold-out fold at the top level)
 * becomes one fold; anything else must carry `folds`. Throws naming the field.
 */
export function upgradeMetrics(doc: unknown, file: string): MetricsJson {
  if (!doc || typeof doc !== 'object') throw new RunFolderError(`${file}: expected a JSON object`);
  const d = doc as Record<string, unknown>;
  if (d.schema_version === undefined) {
    if (!Array.isArray(d.methods)) throw new RunFolderError(`${file}: field 'methods' must be an array`);
    const fold = {
      id: LEGACY_FOLD,
      target: d.target,
      sources: d.sources,
      seeds: { root: d.seed, bootstrap: d.seed, paired: d.seed, training: d.seed },
      partitions: d.partitions,
      methods: d.methods,
      budget_curve: d.budget_curve ?? [],
      comparisons: [],
    } as unknown as FoldJson;
    const methods = fold.methods.map((m) => ({ method: m.method, strategy: m.strategy, auroc: { mean: m.auroc, ci: [null, null] as const, n: 1 }, per_fold: [m.auroc] }));
    return { ...(d as object), schema_version: METRICS_SCHEMA_VERSION, protocol: { kind: 'holdout', folds: 1 }, folds: [fold], pooled: { methods, comparisons: [] } } as unknown as MetricsJson;
  }
  if (d.schema_version !== METRICS_SCHEMA_VERSION) throw new RunFolderError(`${file}: schema_version ${String(d.schema_version)} is not one this medtl reads (1 or ${METRICS_SCHEMA_VERSION})`);
  if (!Array.isArray(d.folds) || d.folds.length === 0) throw new RunFolderError(`${file}: field 'folds' must be a non-empty array`);
  (d.folds as unknown[]).forEach((f, i) => {
    if (!f || typeof f !== 'object' || !Array.isArray((f as FoldJson).methods)) throw new RunFolderError(`${file}: field 'folds.${i}.methods' must be an array`);
  });
  return d as unknown as MetricsJson;
}

/**
 * Reads a finished run folder: config.json, metrics.json, history.json and predictions.csv, plus
 * source-predictions.csv and subjects.csv where the run wrote them. Throws a RunFolderError naming
 * the file (and line or field) on anything missing or malformed.
 */
export async function readRunRecord(dir: string): Promise<RunFiles> {
  if (!existsSync(join(dir, RECORD_FILES.metrics)) && existsSync(join(dir, RECORD_FILES.failed))) {
    throw new RunFolderError(`${dir}: the run failed (see failed.json), so there is no complete record to report on`);
  }
  let config: ExperimentConfig;
  try {
    config = parseExperiment(await readJsonFile(dir, RECORD_FILES.config), join(dir, RECORD_FILES.config));
  } catch (e) {
    throw new RunFolderError((e as Error).message);
  }
  const metrics = upgradeMetrics(await readJsonFile(dir, RECORD_FILES.metrics), join(dir, RECORD_FILES.metrics));
  const history = (await readJsonFile(dir, RECORD_FILES.history)) as { sites?: SiteSummary[]; seconds?: number; cohort?: { kind?: string } };
  if (!Array.isArray(history.sites)) throw new RunFolderError(`${join(dir, RECORD_FILES.history)}: field 'sites' must be an array`);
  const predsFile = join(dir, RECORD_FILES.predictions);
  const target = parseMethodScores(await readText(dir, RECORD_FILES.predictions), predsFile);
  const srcFile = join(dir, RECORD_FILES.sourcePredictions);
  const source = existsSync(srcFile) ? parseMethodScores(await readText(dir, RECORD_FILES.sourcePredictions), srcFile) : new Map<string, RecordedScores[]>();
  const folds = metrics.folds.map((fold) => {
    const byMethod = new Map((target.get(fold.id) ?? []).map((m) => [m.method, m]));
    const targetTest = fold.methods.map((m) => {
      const p = byMethod.get(m.method);
      if (!p) throw new RunFolderError(`${predsFile}: no rows for method '${m.method}' of fold '${fold.id}' listed in metrics.json`);
      return p;
    });
    return { json: fold, targetTest, sourceTest: source.get(fold.id) ?? [] };
  });
  const subjFile = join(dir, RECORD_FILES.subjects);
  const subjects = existsSync(subjFile) ? parseSubjects(await readText(dir, RECORD_FILES.subjects), subjFile) : { columns: [], byKey: new Map() };
  return {
    dir,
    config,
    metrics,
    sites: history.sites,
    seconds: typeof history.seconds === 'number' ? history.seconds : Number.NaN,
    cohortKind: history.cohort?.kind ?? 'unknown',
    folds,
    subjects,
  };
}
