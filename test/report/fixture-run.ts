import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseExperiment } from '../../src/config/experiment.js';
import { evaluateBinary } from '../../src/evaluate/evaluation.js';
import { fitOnValidation } from '../../src/evaluate/operating-points.js';
import { foldComparisons, poolFolds } from '../../src/pipeline/comparisons.js';
import { foldShiftSummary } from '../../src/pipeline/shift-summary.js';
import type { FoldResult, MethodPredictions, RunResult } from '../../src/record/types.js';
import { writeRunRecord } from '../../src/record/write.js';
import { writeJsonAtomic } from '../../src/util/fs.js';
import { Rng } from '../../src/util/random.js';

/** Methods of the fixture run: a transfer method that separates the classes, and two weaker baselines. */
export const FIXTURE_METHODS = [
  { name: 'transfer', strategy: 'freeze_unfreeze', separation: 1.6 },
  { name: 'target_only', strategy: 'target_only', separation: 0.4 },
  { name: 'source_only', strategy: 'source_only', separation: 1.0 },
] as const;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

interface Subject {
  site: string;
  id: string;
  label: 0 | 1;
  sex: string;
  age: number;
}

function subjects(rng: Rng, site: string, n: number, prevalence: number): Subject[] {
  return Array.from({ length: n }, (_, i) => ({
    site,
    id: `${site}-${String(i).padStart(3, '0')}`,
    label: rng.bernoulli(prevalence) ? 1 : 0,
    sex: rng.bernoulli(0.5) ? 'F' : 'M',
    // Mostly 50-80, so the <50 and >=80 bands come out too small to report, as in real cohorts.
    age: Math.round(rng.range(45, 82)),
  }));
}

function predictions(rng: Rng, method: string, sep: number, subs: readonly Subject[]): MethodPredictions {
  return {
    fold: 'holdout',
    method,
    keys: subs.map((s) => `${s.site}/${s.id}`),
    labels: Float32Array.from(subs.map((s) => s.label)),
    // Logit-normal scores: the class shift `sep` sets the AUROC; fround as the model's float32 output would.
    scores: Float32Array.from(subs.map((s) => sigmoid(rng.normal(s.label ? sep / 2 : -sep / 2, 1)))),
  };
}

/**
 * Writes a small, deterministic run folder with the pipeline's own writers (config.json,
 * predictions.csv, source-predictions.csv, subjects.csv, history.json, metrics.json) from
 * hand-made scores: no training, so it takes milliseconds. Returns the folder.
 */
export async function writeFixtureRun(seed = 7): Promise<string> {
  const rng = new Rng(seed);
  const root = await mkdtemp(join(tmpdir(), 'medtl-report-'));
  const runDir = join(root, 'runs', 'fixture');
  await mkdir(runDir, { recursive: true });
  const cfg = parseExperiment({
    name: 'fixture',
    seed,
    workspace: root,
    methods: FIXTURE_METHODS.map((m) => ({ name: m.name, strategy: m.strategy, modalities: ['tabular'] })),
    evaluation: { bootstrapResamples: 100, budgetCurve: [20, 40] },
  });
  await writeJsonAtomic(join(runDir, 'config.json'), cfg);
  const test = subjects(rng.fork('test'), 'hosp_d', 120, 0.45);
  const val = subjects(rng.fork('val'), 'hosp_d', 30, 0.45);
  const src = [...subjects(rng.fork('a'), 'hosp_a', 60, 0.3), ...subjects(rng.fork('b'), 'hosp_b', 60, 0.3)];
  const preds = FIXTURE_METHODS.map((m) => predictions(rng.fork(`t-${m.name}`), m.name, m.separation, test));
  const source = FIXTURE_METHODS.map((m) => predictions(rng.fork(`s-${m.name}`), m.name, m.separation, src));
  const opts = { threshold: 0.5, bootstrapResamples: cfg.evaluation.bootstrapResamples, seed };
  const fold: FoldResult = {
    id: 'holdout',
    target: 'hosp_d',
    sources: ['hosp_a', 'hosp_b'],
    seeds: { root: seed, bootstrap: seed, paired: seed + 6, training: seed },
    partitions: { sourceTrain: 280, sourceVal: 60, sourceTest: 120, targetLabelledTrain: 42, targetLabelledVal: 18, targetUnlabelled: 90, targetTest: 120 },
    methods: FIXTURE_METHODS.map((m, k) => {
      const v = predictions(rng.fork(`v-${m.name}`), m.name, m.separation, val);
      return {
        method: m.name,
        strategy: m.strategy,
        modalities: ['tabular'],
        evaluation: evaluateBinary(preds[k].labels, preds[k].scores, opts),
        history: [],
        validation: fitOnValidation(v.labels, v.scores, preds[k].labels, preds[k].scores),
        missingModalities: { tabular: k === 1 ? 3 : 0 },
        keptSourceModel: m.strategy === 'source_only' ? true : m.strategy === 'target_only' ? null : false,
        seconds: 0.1,
      };
    }),
    budgetCurve: [20, 40].flatMap((budget) =>
      FIXTURE_METHODS.slice(0, 2).map((m) => ({ method: m.name, budget, nTrain: budget - 6, nVal: 6, auroc: 0.6 + budget / 400, aurocCI: [0.5 + budget / 400, 0.7 + budget / 400] as const, nTest: 120 })),
    ),
    comparisons: foldComparisons(preds, ['source_only', 'target_only'], cfg.evaluation.bootstrapResamples, seed + 6),
    // Hand-made subjects have no generator truth, so the shift has its penalty and no oracle.
    shift: foldShiftSummary({ methods: FIXTURE_METHODS.map((m) => ({ name: m.name, strategy: m.strategy })), target: preds, source, sources: ['hosp_a', 'hosp_b'], resamples: cfg.evaluation.bootstrapResamples, seed }),
  };
  const result: RunResult = {
    runId: 'fixture',
    runDir,
    config: cfg,
    compute: { backend: 'cpu', threads: 1, patches: [], native: false },
    pretrainingWorkers: 0,
    cohort: { kind: 'synthetic', dir: root, generated: true },
    sites: [
      { site: 'hosp_a', role: 'source', n: 200, positives: 60, prevalence: 0.3, withImage: 200, withRecord: 200 },
      { site: 'hosp_b', role: 'source', n: 200, positives: 60, prevalence: 0.3, withImage: 200, withRecord: 200 },
      { site: 'hosp_d', role: 'target', n: 300, positives: 135, prevalence: 0.45, withImage: 300, withRecord: 300 },
    ],
    protocol: { kind: 'holdout', folds: 1 },
    folds: [fold],
    pooled: poolFolds([fold]),
    seconds: 1.5,
  };
  await writeRunRecord(result, preds, {
    source,
    subjects: { columns: ['sex', 'age'], rows: [...test, ...src].map((s) => ({ fold: 'holdout', site: s.site, subjectId: s.id, split: s.site === 'hosp_d' ? 'target_test' : 'source_test', values: [s.sex, s.age] })) },
  });
  return runDir;
}
