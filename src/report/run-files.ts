import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseExperiment, type ExperimentConfig } from '../config/experiment.js';
import { parseCsv, type CsvTable } from '../util/csv.js';
import type { MetricsJson } from '../pipeline/metrics-json.js';
import type { SiteSummary } from '../pipeline/site-summary.js';

/** A run folder that cannot be reported on; the message names the file and the row or field. */
export class RunFolderError extends Error {
  override readonly name = 'RunFolderError';
}

/** One method's scores on one test set, in file order. */
export interface MethodScores {
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

/** Everything the report reads from a run folder, validated. */
export interface RunFiles {
  readonly dir: string;
  readonly config: ExperimentConfig;
  readonly metrics: MetricsJson;
  readonly sites: readonly SiteSummary[];
  /** Total run time in seconds, from history.json. */
  readonly seconds: number;
  readonly cohortKind: string;
  /** Target-test scores per method (predictions.csv), in metrics.json method order. */
  readonly targetTest: readonly MethodScores[];
  /** Source-test scores per method (source-predictions.csv); empty for runs that did not write it. */
  readonly sourceTest: readonly MethodScores[];
  readonly subjects: SubjectAttributes;
}

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

/** Parses a predictions file (method,site,subject_id,y_true,y_score) into per-method scores. */
export function parseMethodScores(text: string, file: string): MethodScores[] {
  const t = parseCsv(text, file);
  const [cm, cs, ci, cy, cp] = ['method', 'site', 'subject_id', 'y_true', 'y_score'].map((c) => column(t, file, c));
  const by = new Map<string, { sites: string[]; ids: string[]; y: number[]; s: number[] }>();
  t.rows.forEach((r, i) => {
    const y = Number(r[cy]);
    const s = Number(r[cp]);
    if (r[cy].trim() === '' || !(y === 0 || y === 1)) throw new RunFolderError(`${file}, line ${t.lines[i]}: y_true '${r[cy]}' is not 0 or 1`);
    if (r[cp].trim() === '' || !Number.isFinite(s)) throw new RunFolderError(`${file}, line ${t.lines[i]}: y_score '${r[cp]}' is not a number`);
    let m = by.get(r[cm]);
    if (!m) by.set(r[cm], (m = { sites: [], ids: [], y: [], s: [] }));
    m.sites.push(r[cs]);
    m.ids.push(r[ci]);
    m.y.push(y);
    m.s.push(s);
  });
  return [...by].map(([method, m]) => ({ method, sites: m.sites, subjectIds: m.ids, labels: Float64Array.from(m.y), scores: Float64Array.from(m.s) }));
}

function parseSubjects(text: string, file: string): SubjectAttributes {
  const t = parseCsv(text, file);
  const cs = column(t, file, 'site');
  const ci = column(t, file, 'subject_id');
  const columns = t.header.filter((h) => h !== 'site' && h !== 'subject_id' && h !== 'split');
  const byKey = new Map<string, Record<string, string>>();
  for (const r of t.rows) byKey.set(`${r[cs]}/${r[ci]}`, Object.fromEntries(columns.map((c) => [c, r[t.header.indexOf(c)]])));
  return { columns, byKey };
}

/**
 * Reads a finished run folder: config.json, metrics.json, history.json and predictions.csv, plus
 * source-predictions.csv and subjects.csv where the run wrote them. Throws a RunFolderError naming
 * the file (and line or field) on anything missing or malformed.
 */
export async function readRunFiles(dir: string): Promise<RunFiles> {
  if (!existsSync(join(dir, 'metrics.json')) && existsSync(join(dir, 'failed.json'))) {
    throw new RunFolderError(`${dir}: the run failed (see failed.json), so there is no complete record to report on`);
  }
  let config: ExperimentConfig;
  try {
    config = parseExperiment(await readJsonFile(dir, 'config.json'), join(dir, 'config.json'));
  } catch (e) {
    throw new RunFolderError((e as Error).message);
  }
  const metrics = (await readJsonFile(dir, 'metrics.json')) as MetricsJson;
  if (!metrics || !Array.isArray(metrics.methods)) throw new RunFolderError(`${join(dir, 'metrics.json')}: field 'methods' must be an array`);
  const history = (await readJsonFile(dir, 'history.json')) as { sites?: SiteSummary[]; seconds?: number; cohort?: { kind?: string } };
  if (!Array.isArray(history.sites)) throw new RunFolderError(`${join(dir, 'history.json')}: field 'sites' must be an array`);
  const predsFile = join(dir, 'predictions.csv');
  const byMethod = new Map(parseMethodScores(await readText(dir, 'predictions.csv'), predsFile).map((m) => [m.method, m]));
  const targetTest = metrics.methods.map((m) => {
    const p = byMethod.get(m.method);
    if (!p) throw new RunFolderError(`${predsFile}: no rows for method '${m.method}' listed in metrics.json`);
    return p;
  });
  const srcFile = join(dir, 'source-predictions.csv');
  const sourceTest = existsSync(srcFile) ? parseMethodScores(await readText(dir, 'source-predictions.csv'), srcFile) : [];
  const subjFile = join(dir, 'subjects.csv');
  const subjects = existsSync(subjFile) ? parseSubjects(await readText(dir, 'subjects.csv'), subjFile) : { columns: [], byKey: new Map() };
  return {
    dir,
    config,
    metrics,
    sites: history.sites,
    seconds: typeof history.seconds === 'number' ? history.seconds : Number.NaN,
    cohortKind: history.cohort?.kind ?? 'unknown',
    targetTest,
    sourceTest,
    subjects,
  };
}
