import { join, resolve } from 'node:path';
import { initCompute, type ComputeInfo } from '../compute/backend.js';
import type { ExperimentConfig } from '../config/experiment.js';
import type { Modality } from '../data/types.js';
import { evaluateBinary, type BinaryEvaluation } from '../evaluate/evaluation.js';
import { predictProba } from '../models/fusion.js';
import type { PhaseHistory } from '../train/loop.js';
import { pretrainOnSources } from '../transfer/pretrain.js';
import { getStrategy } from '../transfer/registry.js';
import type { TrainedModel, TransferContext } from '../transfer/types.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { adaptMethodsToCohort, loadExperimentCohort, type CohortOrigin } from './cohort-source.js';
import { partitionCohort } from './partition.js';
import { summariseSites, type SiteSummary } from './site-summary.js';
import { writeFailureRecord, writeRunRecord, type MethodPredictions } from './run-record.js';
import { saveModelBundle } from '../models/artifact.js';
import { writeJsonAtomic } from '../util/fs.js';

/** One row of the results: a method's target-test evaluation and how it was trained. */
export interface MethodResult {
  readonly method: string;
  readonly strategy: string;
  readonly modalities: readonly Modality[];
  readonly evaluation: BinaryEvaluation;
  readonly history: readonly PhaseHistory[];
  /** Wall time of this method, including any source pretraining it triggered first. */
  readonly seconds: number;
}

/** Sizes of the partitions every method shared. */
export interface PartitionCounts {
  readonly sourceTrain: number;
  readonly sourceVal: number;
  readonly sourceTest: number;
  readonly targetLabelledTrain: number;
  readonly targetLabelledVal: number;
  readonly targetUnlabelled: number;
  readonly targetTest: number;
}

/** Everything a run produced, as typed values; the run record on disk mirrors it. */
export interface ExperimentResult {
  readonly runId: string;
  readonly runDir: string;
  readonly config: ExperimentConfig;
  readonly compute: ComputeInfo;
  readonly cohort: CohortOrigin;
  readonly sites: readonly SiteSummary[];
  readonly target: string;
  readonly sources: readonly string[];
  readonly partitions: PartitionCounts;
  readonly methods: readonly MethodResult[];
  readonly seconds: number;
}

/** Options for running an experiment from library code. */
export interface RunOptions {
  readonly progress?: ProgressReporter;
  /** Run folder name; defaults to a timestamp plus the seed. */
  readonly runId?: string;
}

/**
 * Runs an experiment end to end: cohort, patient-level splits, source pretraining, each method's
 * strategy on identical splits and seeds, target-test evaluation, and the run record on disk.
 */
export async function runExperiment(cfg: ExperimentConfig, opts: RunOptions = {}): Promise<ExperimentResult> {
  const t0 = performance.now();
  const progress = opts.progress ?? silentProgress;
  for (const m of cfg.methods) getStrategy(m.strategy);
  const compute = await initCompute({ log: (msg) => progress.log(msg) });
  const { cohort, origin } = await loadExperimentCohort(cfg, progress);
  cfg = adaptMethodsToCohort(cfg, cohort, progress);
  const parts = partitionCohort(cohort, cfg);
  const runId = opts.runId ?? `run-${new Date().toISOString().replace(/[:.]/g, '-')}-s${cfg.seed}`;
  const runDir = resolve(join(cfg.workspace, 'runs', runId));
  await writeJsonAtomic(join(runDir, 'config.json'), cfg);
  const pretrainCache = new Map<string, Promise<TrainedModel>>();
  const results: MethodResult[] = [];
  const predictions: MethodPredictions[] = [];
  const models: { method: string; model: TrainedModel }[] = [];
  let current = '';
  try {
    for (const method of cfg.methods) {
      current = method.name;
      const strategy = getStrategy(method.strategy);
      const started = performance.now();
      const key = [...method.modalities].sort().join('+');
      const ctx: TransferContext = {
        data: parts.transfer,
        modalities: method.modalities,
        schema: cohort.tabularSchema,
        image: { window: cfg.preprocess.window, size: cfg.preprocess.imageSize },
        architecture: cfg.model,
        plan: cfg.training,
        seed: cfg.seed,
        progress,
        label: method.name,
        pretrained() {
          let p = pretrainCache.get(key);
          if (!p) {
            p = Promise.resolve().then(() => pretrainOnSources(ctx));
            pretrainCache.set(key, p);
          }
          return p;
        },
      };
      progress.log(`${method.name}: ${strategy.description}`);
      const trained = await strategy.run(ctx);
      const test = trained.preprocessor.transform(parts.targetTest);
      const scores = predictProba(trained.model, test);
      const evaluation = evaluateBinary(test.labels, scores, {
        threshold: cfg.evaluation.threshold,
        bootstrapResamples: cfg.evaluation.bootstrapResamples,
        seed: cfg.seed,
      });
      results.push({
        method: method.name,
        strategy: method.strategy,
        modalities: method.modalities,
        evaluation,
        history: trained.history,
        seconds: (performance.now() - started) / 1000,
      });
      predictions.push({ method: method.name, keys: test.keys, labels: test.labels, scores });
      models.push({ method: method.name, model: trained });
      // Saved as soon as it exists, so a later failure cannot lose a finished method.
      await saveModelBundle(join(runDir, 'models', method.name), trained);
    }
  } catch (e) {
    await writeFailureRecord(runDir, current, e, predictions);
    throw new Error(`method '${current}' failed: ${(e as Error).message}\n(finished methods and their predictions are kept in ${runDir})`, { cause: e });
  }
  const result: ExperimentResult = {
    runId,
    runDir,
    config: cfg,
    compute,
    cohort: origin,
    sites: summariseSites(cohort, parts),
    target: parts.target,
    sources: parts.sources,
    partitions: {
      sourceTrain: parts.transfer.sourceTrain.length,
      sourceVal: parts.transfer.sourceVal.length,
      sourceTest: parts.sourceTest.length,
      targetLabelledTrain: parts.transfer.targetTrain.length,
      targetLabelledVal: parts.transfer.targetVal.length,
      targetUnlabelled: parts.transfer.targetUnlabelled.length,
      targetTest: parts.targetTest.length,
    },
    methods: results,
    seconds: (performance.now() - t0) / 1000,
  };
  await writeRunRecord(result, predictions);
  // Pretrained models are shared (source_only returns one as is), so dispose each graph once.
  const nets = new Set(models.map((m) => m.model.model.net));
  for (const p of pretrainCache.values()) nets.add((await p).model.net);
  for (const net of nets) net.dispose();
  return result;
}
