import { join, resolve } from 'node:path';
import { initCompute } from '../compute/index.js';
import type { ExperimentConfig } from '../config/experiment.js';
import type { Sample } from '../data/types.js';
import { saveModelBundle } from '../models/artifact.js';
import type { VolumePreprocessOptions } from '../preprocess/volume.js';
import { writeFailureRecord, writeRunRecord } from '../record/write.js';
import type { BudgetCurvePoint, FoldResult, MethodPredictions, MethodResult, RunResult, SubjectRows } from '../record/types.js';
import { writeReport, type ReportPaths } from '../report/write-report.js';
import { pretrainOnSources } from '../transfer/pretrain.js';
import { getStrategy } from '../transfer/registry.js';
import type { TrainedModel, TransferContext, TransferData } from '../transfer/types.js';
import { writeJsonAtomic } from '../util/fs.js';
import { silentProgress, type ProgressReporter } from '../util/progress.js';
import { architectureOf, embedCohortImages } from './backbone-embeddings.js';
import { budgetCurveData } from './budget-curve.js';
import { adaptMethodsToCohort, experimentTruth, loadExperimentCohort } from './cohort-source.js';
import { foldComparisons, poolFolds, referenceMethods } from './comparisons.js';
import { planFolds, type FoldPlan } from './folds.js';
import { PretrainPool, pretrainInput, pretrainKey, pretrainWorkerCount, singleThreadKernels } from './pretrain-workers.js';
import { runMethod, type MethodConfig } from './run-method.js';
import { foldShiftSummary } from './shift-summary.js';
import { summariseSites } from './site-summary.js';

/** Everything a run produced, as typed values, with where its report was written. */
export interface ExperimentResult extends RunResult {
  /** Where the HTML report and model card were written. */
  readonly report: ReportPaths;
}

/** Options for running an experiment from library code. */
export interface RunOptions {
  readonly progress?: ProgressReporter;
  /** Run folder name; defaults to a timestamp plus the seed. */
  readonly runId?: string;
}

/**
 * Runs an experiment end to end: cohort, the protocol's folds (patient-level partitions planned
 * before any training), and in each fold every method on identical partitions and seeds through
 * one `runMethod`, at the main label budget and at each budget of the label-budget curve; then the
 * paired comparisons with the reference methods, per fold and pooled over folds, the run record on
 * disk and its report.
 */
export async function runExperiment(cfg: ExperimentConfig, opts: RunOptions = {}): Promise<ExperimentResult> {
  const t0 = performance.now();
  const progress = opts.progress ?? silentProgress;
  for (const m of cfg.methods) getStrategy(m.strategy);
  const compute = await initCompute({ log: (msg) => progress.log(msg) });
  const { cohort, origin } = await loadExperimentCohort(cfg, progress);
  cfg = adaptMethodsToCohort(cfg, cohort, progress);
  const folds = planFolds(cohort, cfg);
  const curveMethods = budgetCurveMethods(cfg);
  // Planned before any training, so a budget larger than a fold's target pool fails in seconds, not after every method.
  const curves = folds.map((f) => {
    if (curveMethods.length === 0) return [];
    try {
      return budgetCurveData(f.parts.transfer, cfg.evaluation.budgetCurve, cfg.split.targetValFraction, { subsets: f.draws.budgetCurve, validation: f.draws.budgetCurveValidation });
    } catch (e) {
      throw new Error(`evaluation.budgetCurve${folds.length > 1 ? ` (fold '${f.id}')` : ''}: ${(e as Error).message}`, { cause: e });
    }
  });
  if (folds.length > 1) progress.log(`protocol ${cfg.protocol.kind}: ${folds.length} folds (${folds.map((f) => f.id).join(', ')})`);
  // A frozen backbone runs once per subject before any method; every image method then trains on its embeddings.
  const backbone = cfg.methods.some((m) => m.modalities.includes('image')) ? await embedCohortImages(cfg, cohort.samples, progress) : undefined;
  const architecture = architectureOf(cfg.model);
  const volumeOptions = volumeOptionsOf(cfg, cohort.samples);
  const runId = opts.runId ?? `run-${new Date().toISOString().replace(/[:.]/g, '-')}-s${cfg.seed}`;
  const runDir = resolve(join(cfg.workspace, 'runs', runId));
  await writeJsonAtomic(join(runDir, 'config.json'), cfg);

  const pretrainCache = new Map<string, Promise<TrainedModel>>();
  // Pretraining reads only a fold's sources, so every method and budget of the fold (and every fold
  // with the same sources and seeds) that uses these modalities shares it.
  const pretrainKeyOf = (fold: FoldPlan, method: MethodConfig): string => `${fold.sources.join(',')}|${fold.draws.sourceSplit}|${fold.draws.pretrain}|${pretrainKey(method.modalities)}`;
  const context = (fold: FoldPlan, method: MethodConfig, data: TransferData, label: string, seed: number): TransferContext => {
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
      seed,
      progress,
      label,
      options: method.options,
      pretrained() {
        const key = pretrainKeyOf(fold, method);
        let p = pretrainCache.get(key);
        if (!p) {
          p = Promise.resolve().then(() => pretrainOnSources(context(fold, method, fold.parts.transfer, `pretrain [${pretrainKey(method.modalities)}]`, fold.draws.pretrain)));
          pretrainCache.set(key, p);
        }
        return p;
      },
    };
    return ctx;
  };
  // Every pretraining the folds' methods will ask for, started now on worker threads where there are
  // cores for it; a method then waits only for its own.
  const ahead = new Map<string, { fold: FoldPlan; method: MethodConfig }>();
  for (const fold of folds) for (const m of cfg.methods) if (getStrategy(m.strategy).usesPretrained) ahead.set(pretrainKeyOf(fold, m), { fold, method: m });
  // Only with the native kernels, whose main-thread count can drop to one (wasm's pool cannot), and without a frozen backbone's embedding lookup.
  const native = compute.native;
  const pretrainingWorkers = backbone || !native ? 0 : pretrainWorkerCount(ahead.size, compute.threads);
  const pool = pretrainingWorkers > 0 ? new PretrainPool(pretrainingWorkers, compute.backend, (msg) => progress.log(msg)) : undefined;
  const restoreThreads = pool ? singleThreadKernels() : () => undefined;
  for (const [key, { fold, method }] of pool ? ahead : []) {
    const name = `${pretrainKey(method.modalities)}${folds.length > 1 ? ` ${fold.id}` : ''}`;
    const job = pool!.run({ key: name, ctx: pretrainInput(context(fold, method, fold.parts.transfer, `pretrain [${name}]`, fold.draws.pretrain)) });
    // A method that fails first leaves later pretrainings unawaited; their errors are not news.
    job.catch(() => undefined);
    pretrainCache.set(key, job);
  }

  const references = referenceMethods(cfg);
  // The generator's truth (synthetic cohorts only) gives each fold's oracle ceiling; cheap, as no image is rendered.
  const truth = experimentTruth(cfg);
  const foldResults: FoldResult[] = [];
  const predictions: MethodPredictions[] = [];
  const sourcePredictions: MethodPredictions[] = [];
  const current = { fold: '', method: '' };
  try {
    for (const [k, fold] of folds.entries()) {
      current.fold = fold.id;
      const where = folds.length > 1 ? ` [${fold.id}]` : '';
      const trainedHere: TrainedModel[] = [];
      const results: MethodResult[] = [];
      const foldPreds: MethodPredictions[] = [];
      const foldSourcePreds: MethodPredictions[] = [];
      for (const method of cfg.methods) {
        current.method = method.name;
        progress.log(`${method.name}${where}: ${getStrategy(method.strategy).description}`);
        const run = await runMethod(cfg, fold, method, context(fold, method, fold.parts.transfer, `${method.name}${where}`, fold.draws.training));
        results.push(run.result);
        foldPreds.push(run.target);
        predictions.push(run.target);
        sourcePredictions.push(run.source);
        foldSourcePreds.push(run.source);
        trainedHere.push(run.trained);
        // Saved as soon as it exists, so a later failure cannot lose a finished method.
        await saveModelBundle(join(runDir, 'models', ...(folds.length > 1 ? [fold.id] : []), method.name), run.trained);
      }
      const curve: BudgetCurvePoint[] = [];
      for (const b of curves[k]) {
        for (const method of curveMethods) {
          current.method = `${method.name} (label-budget curve, budget ${b.budget})`;
          const run = await runMethod(cfg, fold, method, context(fold, method, b.data, `${method.name}@${b.budget}${where}`, fold.draws.training));
          const e = run.result.evaluation;
          curve.push({ method: method.name, budget: b.budget, nTrain: b.data.targetTrain.length, nVal: b.data.targetVal.length, auroc: e.auroc, aurocCI: e.aurocCI, nTest: e.nTest });
          trainedHere.push(run.trained);
        }
      }
      const p = fold.parts;
      foldResults.push({
        id: fold.id,
        target: fold.target,
        sources: fold.sources,
        seeds: { root: fold.draws.root, bootstrap: fold.draws.bootstrap, paired: fold.draws.paired, training: fold.draws.training },
        partitions: {
          sourceTrain: p.transfer.sourceTrain.length,
          sourceVal: p.transfer.sourceVal.length,
          sourceTest: p.sourceTest.length,
          targetLabelledTrain: p.transfer.targetTrain.length,
          targetLabelledVal: p.transfer.targetVal.length,
          targetUnlabelled: p.transfer.targetUnlabelled.length,
          targetTest: p.targetTest.length,
        },
        methods: results,
        budgetCurve: curve,
        comparisons: foldComparisons(foldPreds, references, cfg.evaluation.bootstrapResamples, fold.draws.paired),
        shift: foldShiftSummary({
          methods: cfg.methods.map((m) => ({ name: m.name, strategy: m.strategy })),
          target: foldPreds,
          source: foldSourcePreds,
          sources: fold.sources,
          truth,
          resamples: cfg.evaluation.bootstrapResamples,
          seed: fold.draws.bootstrap,
        }),
      });
      // Pretrained models are shared (source_only returns one as is), so dispose each graph once, and
      // only what no later fold can still ask for.
      const nets = new Set(trainedHere.map((t) => t.model.net));
      const later = new Set(folds.slice(k + 1).flatMap((f) => cfg.methods.map((m) => pretrainKeyOf(f, m))));
      const kept = new Set<unknown>();
      for (const [key, pretrained] of pretrainCache) {
        if (later.has(key)) kept.add((await pretrained).model.net);
        else if (cfg.methods.some((m) => pretrainKeyOf(fold, m) === key)) {
          nets.add((await pretrained).model.net);
          pretrainCache.delete(key);
        }
      }
      for (const net of nets) if (!kept.has(net)) net.dispose();
    }
  } catch (e) {
    await pool?.close();
    restoreThreads();
    await writeFailureRecord(runDir, current, e, [...predictions]);
    const where = folds.length > 1 ? ` in fold '${current.fold}'` : '';
    throw new Error(`method '${current.method}'${where} failed: ${(e as Error).message}\n(finished methods and their predictions are kept in ${runDir})`, { cause: e });
  }
  await pool?.close();
  restoreThreads();
  const result: RunResult = {
    runId,
    runDir,
    config: cfg,
    compute,
    cohort: origin,
    sites: summariseSites(cohort, folds),
    protocol: { kind: cfg.protocol.kind, folds: folds.length },
    folds: foldResults,
    pooled: poolFolds(foldResults),
    seconds: (performance.now() - t0) / 1000,
    pretrainingWorkers,
  };
  await writeRunRecord(result, predictions, { source: sourcePredictions, subjects: subjectRows(cohort.samples, folds, cfg.evaluation.subgroups) });
  const report = await writeReport(runDir);
  return { ...result, report };
}

/** The methods the label-budget curve retrains, checked against the configured methods. */
function budgetCurveMethods(cfg: ExperimentConfig): MethodConfig[] {
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
  return [transfer, scratch].filter((m): m is MethodConfig => m !== undefined);
}

/** The subgroup columns of every test subject (target and source) of every fold, for subjects.csv. */
function subjectRows(all: readonly Sample[], folds: readonly FoldPlan[], columns: readonly string[]): SubjectRows {
  const present = columns.filter((c) => all.some((s) => s.tabular && s.tabular[c] !== undefined));
  const rows = (fold: string, split: string, samples: readonly Sample[]) =>
    samples.map((s) => ({ fold, site: s.siteId, subjectId: s.subjectId, split, values: present.map((c) => s.tabular?.[c] ?? null) }));
  return { columns: present, rows: folds.flatMap((f) => [...rows(f.id, 'target_test', f.parts.targetTest), ...rows(f.id, 'source_test', f.parts.sourceTest)]) };
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
