import { join, resolve } from 'node:path';
import { initCompute, type ComputeInfo } from '../compute/index.js';
import type { ExperimentConfig } from '../config/experiment.js';
import type { Modality } from '../data/types.js';
import { evaluateBinary, type BinaryEvaluation } from '../evaluate/evaluation.js';
import { predictProba } from '../models/fusion.js';
import type { PhaseHistory } from '../train/loop.js';
import { pretrainOnSources } from '../transfer/pretrain.js';
import { getStrategy } from '../transfer/registry.js';
import type { TrainedModel, TransferContext, TransferReport } from '../transfer/types.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { adaptMethodsToCohort, loadExperimentCohort, type CohortOrigin } from './cohort-source.js';
import { partitionCohort } from './partition.js';
import { summariseSites, type SiteSummary } from './site-summary.js';
import { writeFailureRecord, writeRunRecord, type MethodPredictions, type SubjectRows } from './run-record.js';
import { saveModelBundle } from '../models/artifact.js';
import { writeJsonAtomic } from '../util/fs.js';
import type { Sample } from '../data/types.js';
import type { VolumePreprocessOptions } from '../preprocess/volume.js';
import { writeReport, type ReportPaths } from '../report/write-report.js';
import { budgetCurveData, type BudgetCurvePoint } from './budget-curve.js';
import { fitOnValidation, type ValidationFits } from './operating-points.js';
import { fitStackingOnValidation } from '../models/stacking.js';
import { architectureOf, embedCohortImages } from './backbone-embeddings.js';
import { PretrainPool, pretrainInput, pretrainKey, pretrainWorkerCount, singleThreadKernels } from './pretrain-workers.js';

/** One row of the results: a method's target-test evaluation and how it was trained. */
export interface MethodResult {
  readonly method: string;
  readonly strategy: string;
  readonly modalities: readonly Modality[];
  readonly evaluation: BinaryEvaluation;
  readonly history: readonly PhaseHistory[];
  /** Youden threshold and temperature fitted on target validation, applied to target test. */
  readonly validation: ValidationFits;
  /** Target-test subjects lacking each modality the method uses; they are still predicted, from the others. */
  readonly missingModalities: Readonly<Partial<Record<Modality, number>>>;
  /** What the strategy found about its sources (weights, transferability, negative transfer), when it reports any. */
  readonly transferReport?: TransferReport;
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
  /** Label-budget curve points (empty when `evaluation.budgetCurve` is []). */
  readonly budgetCurve: readonly BudgetCurvePoint[];
  readonly seconds: number;
  /** Where the HTML report and model card were written. */
  readonly report: ReportPaths;
  /** Worker threads that ran the source pretrainings ahead (0: each ran in the main thread when first needed). */
  readonly pretrainingWorkers: number;
}

/** A run's result before its report exists: what the run record files are written from. */
export type RunRecordResult = Omit<ExperimentResult, 'report'>;

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
  // A frozen backbone runs once per subject before any method; every image method then trains on its embeddings.
  const backbone = cfg.methods.some((m) => m.modalities.includes('image')) ? await embedCohortImages(cfg, cohort.samples, progress) : undefined;
  const architecture = architectureOf(cfg.model);
  const volumeOptions = volumeOptionsOf(cfg, cohort.samples);
  const runId = opts.runId ?? `run-${new Date().toISOString().replace(/[:.]/g, '-')}-s${cfg.seed}`;
  const runDir = resolve(join(cfg.workspace, 'runs', runId));
  await writeJsonAtomic(join(runDir, 'config.json'), cfg);
  const curveMethods = budgetCurveMethods(cfg);
  let curveData: ReturnType<typeof budgetCurveData> = [];
  try {
    // Planned before any training, so a budget larger than the target pool fails in seconds, not after every method.
    if (curveMethods.length) curveData = budgetCurveData(parts.transfer, cfg.evaluation.budgetCurve, cfg.split.targetValFraction, cfg.seed + 4);
  } catch (e) {
    throw new Error(`evaluation.budgetCurve: ${(e as Error).message}`, { cause: e });
  }
  const pretrainCache = new Map<string, Promise<TrainedModel>>();
  const results: MethodResult[] = [];
  const predictions: MethodPredictions[] = [];
  const sourcePredictions: MethodPredictions[] = [];
  const models: { method: string; model: TrainedModel }[] = [];
  const curve: BudgetCurvePoint[] = [];
  const context = (method: ExperimentConfig['methods'][number], data: TransferContext['data'], label: string): TransferContext => {
    const key = pretrainKey(method.modalities);
    const ctx: TransferContext = {
      data,
      modalities: method.modalities,
      schema: cohort.tabularSchema,
      image: { window: cfg.preprocess.window, size: cfg.preprocess.imageSize },
      ...(volumeOptions && { volume: volumeOptions }),
      categorical: cfg.preprocess.categorical,
      ...(backbone && { imageEmbeddings: backbone.embeddings }),
      architecture,
      plan: cfg.training,
      seed: cfg.seed,
      progress,
      label,
      options: method.options,
      pretrained() {
        let p = pretrainCache.get(key);
        // Pretraining reads sources only, so every budget and method with these modalities shares it.
        if (!p) {
          p = Promise.resolve().then(() => pretrainOnSources({ ...ctx, data: parts.transfer }));
          pretrainCache.set(key, p);
        }
        return p;
      },
    };
    return ctx;
  };
  // Every pretraining the methods will ask for, started now on worker threads where there are
  // cores for it; a method then waits only for its own.
  const ahead = [...new Map(cfg.methods.filter((m) => getStrategy(m.strategy).usesPretrained).map((m) => [pretrainKey(m.modalities), m])).values()];
  // Only with the native kernels, whose main-thread count can drop to one (wasm's pool cannot), and without a frozen backbone's embedding lookup.
  const native = compute.native;
  const pretrainingWorkers = backbone || !native ? 0 : pretrainWorkerCount(ahead.length, compute.threads);
  const pool = pretrainingWorkers > 0 ? new PretrainPool(pretrainingWorkers, compute.backend, (msg) => progress.log(msg)) : undefined;
  const restoreThreads = pool ? singleThreadKernels() : () => undefined;
  for (const method of pool ? ahead : []) {
    const job = pool!.run({ key: pretrainKey(method.modalities), ctx: pretrainInput(context(method, parts.transfer, `pretrain [${pretrainKey(method.modalities)}]`)) });
    // A method that fails first leaves later pretrainings unawaited; their errors are not news.
    job.catch(() => undefined);
    pretrainCache.set(pretrainKey(method.modalities), job);
  }
  let current = '';
  try {
    for (const method of cfg.methods) {
      current = method.name;
      const strategy = getStrategy(method.strategy);
      const started = performance.now();
      const ctx = context(method, parts.transfer, method.name);
      progress.log(`${method.name}: ${strategy.description}`);
      const trained = await strategy.run(ctx);
      // Late fusion with stacking fits its combination on held-out labels, like the threshold and temperature below.
      fitStackingOnValidation(trained.model, trained.preprocessor, parts.transfer.targetVal.length ? parts.transfer.targetVal : parts.transfer.sourceVal);
      const test = trained.preprocessor.transform(parts.targetTest);
      const scores = predictProba(trained.model, test);
      const val = trained.preprocessor.transform(parts.transfer.targetVal);
      const validation = fitOnValidation(val.labels, predictProba(trained.model, val), test.labels, scores);
      const sourceTest = trained.preprocessor.transform(parts.sourceTest);
      sourcePredictions.push({ method: method.name, keys: sourceTest.keys, labels: sourceTest.labels, scores: predictProba(trained.model, sourceTest) });
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
        validation,
        missingModalities: countMissingModalities(parts.targetTest, method.modalities),
        ...(trained.report ? { transferReport: trained.report } : {}),
        seconds: (performance.now() - started) / 1000,
      });
      predictions.push({ method: method.name, keys: test.keys, labels: test.labels, scores });
      models.push({ method: method.name, model: trained });
      // Saved as soon as it exists, so a later failure cannot lose a finished method.
      await saveModelBundle(join(runDir, 'models', method.name), trained);
    }
    for (const b of curveData) {
      for (const method of curveMethods) {
        current = `${method.name} (label-budget curve, budget ${b.budget})`;
        const trained = await getStrategy(method.strategy).run(context(method, b.data, `${method.name}@${b.budget}`));
        fitStackingOnValidation(trained.model, trained.preprocessor, b.data.targetVal.length ? b.data.targetVal : b.data.sourceVal);
        const test = trained.preprocessor.transform(parts.targetTest);
        const e = evaluateBinary(test.labels, predictProba(trained.model, test), {
          threshold: cfg.evaluation.threshold,
          bootstrapResamples: cfg.evaluation.bootstrapResamples,
          seed: cfg.seed,
        });
        curve.push({ method: method.name, budget: b.budget, nTrain: b.data.targetTrain.length, nVal: b.data.targetVal.length, auroc: e.auroc, aurocCI: e.aurocCI, nTest: e.nTest });
        models.push({ method: current, model: trained });
      }
    }
  } catch (e) {
    await pool?.close();
    restoreThreads();
    await writeFailureRecord(runDir, current, e, predictions);
    throw new Error(`method '${current}' failed: ${(e as Error).message}\n(finished methods and their predictions are kept in ${runDir})`, { cause: e });
  }
  await pool?.close();
  restoreThreads();
  const result: RunRecordResult = {
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
    budgetCurve: curve,
    seconds: (performance.now() - t0) / 1000,
    pretrainingWorkers,
  };
  await writeRunRecord(result, predictions, {
    source: sourcePredictions,
    subjects: subjectRows(cohort.samples, parts.targetTest, parts.sourceTest, cfg.evaluation.subgroups),
  });
  // Pretrained models are shared (source_only returns one as is), so dispose each graph once.
  const nets = new Set(models.map((m) => m.model.model.net));
  for (const p of pretrainCache.values()) nets.add((await p).model.net);
  for (const net of nets) net.dispose();
  const report = await writeReport(runDir);
  return { ...result, report };
}

/** How many samples lack each of the given modalities. */
export function countMissingModalities(samples: readonly Sample[], modalities: readonly Modality[]): Partial<Record<Modality, number>> {
  const has: Record<Modality, (s: Sample) => boolean> = { image: (s) => s.image !== undefined, tabular: (s) => s.tabular !== undefined, text: (s) => s.text !== undefined && s.text !== '' };
  return Object.fromEntries(modalities.map((m) => [m, samples.filter((s) => !has[m](s)).length]));
}

/** The methods the label-budget curve retrains, checked against the configured methods. */
function budgetCurveMethods(cfg: ExperimentConfig): ExperimentConfig['methods'] {
  if (cfg.evaluation.budgetCurve.length === 0) return [];
  const names = cfg.evaluation.budgetCurveMethods;
  if (names) {
    return names.map((n) => {
      const m = cfg.methods.find((x) => x.name === n);
      if (!m) throw new Error(`evaluation.budgetCurveMethods: '${n}' is not a configured method; methods: ${cfg.methods.map((x) => x.name).join(', ')}`);
      return m;
    });
  }
  const transfer = cfg.methods.find((m) => m.strategy !== 'target_only' && m.strategy !== 'source_only');
  const scratch = cfg.methods.find((m) => m.strategy === 'target_only');
  return [transfer, scratch].filter((m): m is ExperimentConfig['methods'][number] => m !== undefined);
}

/** The subgroup columns of every test subject (target and source), for subjects.csv. */
function subjectRows(all: readonly Sample[], targetTest: readonly Sample[], sourceTest: readonly Sample[], columns: readonly string[]): SubjectRows {
  const present = columns.filter((c) => all.some((s) => s.tabular && s.tabular[c] !== undefined));
  const rows = (split: string, samples: readonly Sample[]) =>
    samples.map((s) => ({ site: s.siteId, subjectId: s.subjectId, split, values: present.map((c) => s.tabular?.[c] ?? null) }));
  return { columns: present, rows: [...rows('target_test', targetTest), ...rows('source_test', sourceTest)] };
}

/** The volume preprocessor's options when the model's image encoder is cnn3d; refuses a cohort without volumes (the synthetic one is 2-D). */
function volumeOptionsOf(cfg: ExperimentConfig, samples: readonly Sample[]): VolumePreprocessOptions | undefined {
  if (cfg.model.imageEncoder !== 'cnn3d' || !cfg.methods.some((m) => m.modalities.includes('image'))) return undefined;
  if (!samples.some((s) => s.volume !== undefined)) {
    throw new Error(`model.imageEncoder: cnn3d needs volumes, but no subject of the ${cfg.data.kind} cohort has one (the synthetic cohort is 2-D; use a manifest with NIfTI, DICOM series or npz volumes)`);
  }
  const s = cfg.preprocess.imageSize;
  return { window: cfg.preprocess.window, size: cfg.preprocess.volumeSize ?? [16, s, s] };
}
