import { join } from 'node:path';
import { saveModelBundle } from '../models/artifact.js';
import type { TrainedModel } from '../transfer/types.js';
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
 * Writes config.json, metrics.json, history.json, predictions.csv and one model folder per method
 * into the run directory. metrics.json goes last so its presence marks a complete record.
 */
export async function writeRunRecord(result: ExperimentResult, preds: readonly MethodPredictions[], models: readonly { method: string; model: TrainedModel }[]): Promise<void> {
  const dir = result.runDir;
  await writeJsonAtomic(join(dir, 'config.json'), result.config);
  for (const m of models) await saveModelBundle(join(dir, 'models', m.method), m.model);
  const rows = ['method,site,subject_id,y_true,y_score'];
  for (const p of preds) {
    p.keys.forEach((key, i) => {
      const slash = key.indexOf('/');
      rows.push([p.method, csvField(key.slice(0, slash)), csvField(key.slice(slash + 1)), p.labels[i], p.scores[i]].join(','));
    });
  }
  await writeFileAtomic(join(dir, 'predictions.csv'), `${rows.join('\n')}\n`);
  await writeJsonAtomic(join(dir, 'history.json'), {
    compute: result.compute,
    cohort: result.cohort,
    sites: result.sites,
    seconds: result.seconds,
    methods: result.methods.map((m) => ({ method: m.method, seconds: m.seconds, history: m.history })),
  });
  await writeJsonAtomic(join(dir, 'metrics.json'), toMetricsJson(result));
}

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
