import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import type { ExperimentResult } from './experiment.js';
import { toMetricsJson } from './metrics-json.js';

/** One method's target-test scores, kept for the predictions file. */
export interface MethodPredictions {
  readonly method: string;
  readonly keys: readonly string[];
  readonly labels: Float32Array;
  readonly scores: Float32Array;
}

/**
 * Completes the run directory (config.json and models/ are written as the run goes): predictions.csv,
 * history.json, then metrics.json last, so its presence marks a complete record.
 */
export async function writeRunRecord(result: ExperimentResult, preds: readonly MethodPredictions[]): Promise<void> {
  const dir = result.runDir;
  await writePredictions(dir, preds);
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

async function writePredictions(dir: string, preds: readonly MethodPredictions[]): Promise<void> {
  const rows = ['method,site,subject_id,y_true,y_score'];
  for (const p of preds) {
    p.keys.forEach((key, i) => {
      const slash = key.indexOf('/');
      rows.push([p.method, csvField(key.slice(0, slash)), csvField(key.slice(slash + 1)), p.labels[i], p.scores[i]].join(','));
    });
  }
  await writeFileAtomic(join(dir, 'predictions.csv'), `${rows.join('\n')}\n`);
}

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
