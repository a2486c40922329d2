import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import type { RunRecordResult } from './experiment.js';
import { toMetricsJson } from './metrics-json.js';

/** One method's target-test scores, kept for the predictions file. */
export interface MethodPredictions {
  readonly method: string;
  readonly keys: readonly string[];
  readonly labels: Float32Array;
  readonly scores: Float32Array;
}

/** Subgroup columns (e.g. sex, age) of every test subject, written as subjects.csv. */
export interface SubjectRows {
  readonly columns: readonly string[];
  readonly rows: readonly { readonly site: string; readonly subjectId: string; readonly split: string; readonly values: readonly (number | string | null)[] }[];
}

/** What the report needs beyond the target-test predictions: source-test scores and subject attributes. */
export interface RunRecordExtras {
  readonly source: readonly MethodPredictions[];
  readonly subjects: SubjectRows;
}

/**
 * Completes the run directory (config.json and models/ are written as the run goes): predictions.csv,
 * source-predictions.csv, subjects.csv, history.json, then metrics.json last, so its presence marks a complete record.
 */
export async function writeRunRecord(result: RunRecordResult, preds: readonly MethodPredictions[], extras: RunRecordExtras): Promise<void> {
  const dir = result.runDir;
  await writePredictions(dir, preds);
  await writePredictions(dir, extras.source, 'source-predictions.csv');
  const subjects = [['site', 'subject_id', 'split', ...extras.subjects.columns].map(csvField).join(',')];
  for (const r of extras.subjects.rows) subjects.push([r.site, r.subjectId, r.split, ...r.values.map((v) => (v === null ? '' : String(v)))].map(csvField).join(','));
  await writeFileAtomic(join(dir, 'subjects.csv'), `${subjects.join('\n')}\n`);
  await writeJsonAtomic(join(dir, 'history.json'), {
    compute: result.compute,
    cohort: result.cohort,
    sites: result.sites,
    seconds: result.seconds,
    methods: result.methods.map((m) => ({ method: m.method, seconds: m.seconds, history: m.history })),
  });
  await writeJsonAtomic(join(dir, 'metrics.json'), toMetricsJson(result));
}

/** Records a failed run: which method failed and why, plus the predictions of the methods that finished. */
export async function writeFailureRecord(dir: string, method: string, error: unknown, preds: readonly MethodPredictions[]): Promise<void> {
  await writePredictions(dir, preds);
  await writeJsonAtomic(join(dir, 'failed.json'), {
    failed_method: method,
    error: error instanceof Error ? error.message : String(error),
    finished_methods: preds.map((p) => p.method),
  });
}

async function writePredictions(dir: string, preds: readonly MethodPredictions[], file = 'predictions.csv'): Promise<void> {
  const rows = ['method,site,subject_id,y_true,y_score'];
  for (const p of preds) {
    p.keys.forEach((key, i) => {
      const slash = key.indexOf('/');
      rows.push([p.method, csvField(key.slice(0, slash)), csvField(key.slice(slash + 1)), p.labels[i], p.scores[i]].join(','));
    });
  }
  await writeFileAtomic(join(dir, file), `${rows.join('\n')}\n`);
}

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
