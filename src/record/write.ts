import { join } from 'node:path';
import { formatCsv } from '../util/csv.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { toMetricsJson } from './metrics-json.js';
import type { MethodPredictions, RunResult, SubjectRows } from './types.js';

/** What the report needs beyond the target-test predictions: source-test scores and subject attributes. */
export interface RunRecordExtras {
  readonly source: readonly MethodPredictions[];
  readonly subjects: SubjectRows;
}

/** The run record's file names, relative to the run folder. */
export const RECORD_FILES = {
  config: 'config.json',
  metrics: 'metrics.json',
  history: 'history.json',
  predictions: 'predictions.csv',
  sourcePredictions: 'source-predictions.csv',
  subjects: 'subjects.csv',
  failed: 'failed.json',
} as const;

/**
 * Completes the run directory (config.json and models/ are written as the run goes): predictions.csv,
 * source-predictions.csv, subjects.csv, history.json, then metrics.json last, so its presence marks a complete record.
 */
export async function writeRunRecord(result: RunResult, preds: readonly MethodPredictions[], extras: RunRecordExtras): Promise<void> {
  const dir = result.runDir;
  await writePredictions(dir, preds);
  await writePredictions(dir, extras.source, RECORD_FILES.sourcePredictions);
  const subjects = [['fold', 'site', 'subject_id', 'split', ...extras.subjects.columns]];
  for (const r of extras.subjects.rows) subjects.push([r.fold, r.site, r.subjectId, r.split, ...r.values.map((v) => (v === null ? '' : String(v)))]);
  await writeFileAtomic(join(dir, RECORD_FILES.subjects), formatCsv(subjects));
  await writeJsonAtomic(join(dir, RECORD_FILES.history), {
    compute: result.compute,
    cohort: result.cohort,
    sites: result.sites,
    seconds: result.seconds,
    folds: result.folds.map((f) => ({ fold: f.id, methods: f.methods.map((m) => ({ method: m.method, seconds: m.seconds, history: m.history })) })),
  });
  await writeJsonAtomic(join(dir, RECORD_FILES.metrics), toMetricsJson(result));
}

/** Records a failed run: which fold and method failed and why, plus the predictions of the methods that finished. */
export async function writeFailureRecord(dir: string, failed: { readonly fold: string; readonly method: string }, error: unknown, preds: readonly MethodPredictions[]): Promise<void> {
  await writePredictions(dir, preds);
  await writeJsonAtomic(join(dir, RECORD_FILES.failed), {
    failed_fold: failed.fold,
    failed_method: failed.method,
    error: error instanceof Error ? error.message : String(error),
    finished: preds.map((p) => ({ fold: p.fold, method: p.method })),
  });
}

async function writePredictions(dir: string, preds: readonly MethodPredictions[], file: string = RECORD_FILES.predictions): Promise<void> {
  const rows = [['fold', 'method', 'site', 'subject_id', 'y_true', 'y_score']];
  for (const p of preds) {
    p.keys.forEach((key, i) => {
      const slash = key.indexOf('/');
      rows.push([p.fold, p.method, key.slice(0, slash), key.slice(slash + 1), String(p.labels[i]), String(p.scores[i])]);
    });
  }
  await writeFileAtomic(join(dir, file), formatCsv(rows));
}
