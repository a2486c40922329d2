// Child process for the run-record test: loads one method's saved model from a run folder in a
// fresh process, rescores that method's target test subjects and prints the scores as JSON.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initCompute } from '../../src/compute/index.js';
import { harmoniseUnits, readCohort } from '../../src/data/synthetic/index.js';
import { subjectKey } from '../../src/data/splits.js';
import { loadModelBundle } from '../../src/models/artifact.js';
import { predictProba } from '../../src/models/fusion.js';
import { parseCsv } from '../../src/util/csv.js';

const [runDir, cohortDir, method] = process.argv.slice(2);
await initCompute({ log: () => undefined });
const predictionsFile = join(runDir, 'predictions.csv');
const rows = parseCsv(readFileSync(predictionsFile, 'utf8'), predictionsFile).rows;
const keys = rows.filter((r) => r[1] === method).map((r) => `${r[2]}/${r[3]}`);
const cohort = harmoniseUnits(await readCohort(cohortDir));
const byKey = new Map(cohort.samples.map((s) => [subjectKey(s), s]));
const samples = keys.map((k) => byKey.get(k)!);
const bundle = await loadModelBundle(join(runDir, 'models', method));
process.stdout.write(JSON.stringify({ keys, scores: [...predictProba(bundle.model, bundle.preprocessor.transform(samples))] }));
