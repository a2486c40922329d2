// The heart-disease leave-one-site-out grid of `npm run bench:accuracy`: splits, one run per
// target × seed × budget × strategy, and a FLamby-style pooled-test comparison.
import { appendFile } from 'node:fs/promises';
import type { ColumnSpec, Sample } from '../src/data/types.js';
import { accuracyOf, auroc, confusion } from '../src/evaluate/metrics.js';
import { labelBudgetCurve } from '../src/evaluate/protocols/label-budget-curve.js';
import { buildFusionModel, predictProba } from '../src/models/fusion.js';
import type { ExperimentConfig } from '../src/config/experiment.js';
import { fitPreprocessor } from '../src/preprocess/preprocessor.js';
import { trainPhase } from '../src/train/loop.js';
import { specFor } from '../src/transfer/model-ops.js';
import { releasePerSourceModels } from '../src/transfer/multi-source/per-source.js';
import { pretrainOnSources } from '../src/transfer/pretrain.js';
import { releaseLabelBlindStages } from '../src/transfer/stage-cache.js';
import { getStrategy } from '../src/transfer/registry.js';
import type { TrainedModel, TransferContext, TransferData, TransferReport } from '../src/transfer/types.js';
import { silentProgress } from '../src/util/progress.js';
import { Rng } from '../src/util/random.js';

/** One finished run of the grid, as written to the rows file (one JSON object per line). */
export interface GridRow {
  readonly part: 'loso' | 'flamby' | 'lung';
  readonly target_site: string;
  readonly strategy: string;
  /** Fraction of the target's training split that is labelled (0 = unsupervised); null for the FLamby part. */
  readonly budget: number | null;
  readonly seed: number;
  readonly auroc: number | null;
  readonly accuracy: number;
  readonly n_test: number;
  readonly n_labelled: number;
  readonly seconds: number;
  readonly fusion?: string;
  readonly modalities?: readonly string[];
  readonly report?: TransferReport;
}

/** Strategies that cannot run without target labels. */
export const NEEDS_LABELS = new Set(['target_only', 'linear_probe', 'full_finetune', 'freeze_unfreeze', 'gradual_unfreeze', 'discriminative_lr', 'l2sp']);
/** Strategies whose result does not depend on the label budget (run at budget 0 only). */
export const BUDGET_FREE = new Set(['source_only']);

/** Seeded, label-stratified split of samples into a fraction `first` and the rest. */
export function stratifiedTwoWay(samples: readonly Sample[], first: number, seed: string): [Sample[], Sample[]] {
  const rng = new Rng(seed);
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (const label of [0, 1]) {
    const rows = rng.shuffle(samples.filter((s) => s.label === label));
    const k = Math.round(rows.length * first);
    a.push(...rows.slice(0, k));
    b.push(...rows.slice(k));
  }
  return [a, b];
}

/** The target split of a site for a seed: 2/3 training pool, 1/3 test, stratified (as FLamby's per-centre split). */
export function siteSplit(samples: readonly Sample[], site: string, seed: number): { pool: Sample[]; test: Sample[] } {
  const [pool, test] = stratifiedTwoWay(
    samples.filter((s) => s.siteId === site),
    2 / 3,
    `heart:${seed}:${site}`,
  );
  return { pool, test };
}

/** AUROC (null with one class) and accuracy at 0.5 of scores against labels. */
export function score(labels: Float32Array, p: Float32Array): { auroc: number | null; accuracy: number } {
  let pos = 0;
  labels.forEach((y) => (pos += y));
  return { auroc: pos === 0 || pos === labels.length ? null : auroc(labels, p), accuracy: accuracyOf(confusion(labels, p, 0.5)) };
}

/** What the grid needs to know about the cohort and the training settings. */
export interface GridSetup {
  readonly samples: readonly Sample[];
  readonly schema: readonly ColumnSpec[];
  readonly cfg: ExperimentConfig;
  readonly rowsFile: string;
  /** Rows already in the rows file (resume), keyed by rowKey. */
  readonly done: ReadonlySet<string>;
  readonly log: (line: string) => void;
  /** Strategy options by strategy name (e.g. shorter adaptation for the domain-adaptation strategies). */
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * A record-only TransferContext maker for one (target, seed) cell: every context it makes shares one
 * source pretraining, trained on first use, so the strategies of a cell start from the same source model.
 */
export function tabularContexts(
  setup: Pick<GridSetup, 'schema' | 'cfg' | 'options'>,
  seed: number,
): { contextFor: (data: TransferData, strategy: string) => TransferContext; pretrained: () => Promise<TrainedModel> | undefined } {
  let pretrained: Promise<TrainedModel> | undefined;
  const contextFor = (data: TransferData, strategy: string): TransferContext => {
    const ctx: TransferContext = {
      data,
      modalities: ['tabular'],
      schema: setup.schema,
      image: { window: setup.cfg.preprocess.window, size: setup.cfg.preprocess.imageSize },
      architecture: setup.cfg.model,
      plan: setup.cfg.training,
      seed,
      progress: silentProgress,
      label: strategy,
      options: setup.options[strategy],
      pretrained: () => (pretrained ??= Promise.resolve().then(() => pretrainOnSources(ctx))),
    };
    return ctx;
  };
  // The shared pretraining if a strategy has started it, so the caller can compare against it and dispose it.
  return { contextFor, pretrained: () => pretrained };
}

/** Identity of a grid cell, for resuming. */
export function rowKey(r: Pick<GridRow, 'part' | 'target_site' | 'strategy' | 'budget' | 'seed'> & { fusion?: string }): string {
  return [r.part, r.target_site, r.strategy, r.budget ?? '-', r.seed, r.fusion ?? ''].join('|');
}

async function emit(setup: GridSetup, row: GridRow): Promise<void> {
  await appendFile(setup.rowsFile, JSON.stringify(row) + '\n');
}

/** Runs every strategy at every budget for one target site and seed (leave-one-site-out: all other sites are sources). */
export async function runLosoCell(setup: GridSetup, target: string, seed: number, budgets: readonly number[], strategies: readonly string[]): Promise<void> {
  const { pool, test } = siteSplit(setup.samples, target, seed);
  const sourceRows = setup.samples.filter((s) => s.siteId !== target);
  const [sourceTrain, sourceVal] = stratifiedTwoWay(sourceRows, 0.85, `heart:${seed}:sources-of-${target}`);
  const curve = labelBudgetCurve(pool, budgets.map((fraction) => ({ fraction })), seed);
  const { contextFor: ctxFor, pretrained: startedPretraining } = tabularContexts(setup, seed);
  for (const [bi, point] of curve.entries()) {
    const budget = budgets[bi];
    const rng = new Rng(`heart:${seed}:${target}:${budget}:val`);
    const labelled = rng.shuffle(point.labelled);
    // 30% of the labelled budget is kept for early stopping, as in the experiment default (targetValFraction).
    const nVal = labelled.length >= 4 ? Math.round(labelled.length * 0.3) : 0;
    const data: TransferData = {
      sourceTrain,
      sourceVal,
      targetTrain: labelled.slice(nVal),
      targetVal: labelled.slice(0, nVal),
      targetUnlabelled: point.unlabelled,
    };
    for (const strategy of strategies) {
      if (budget === 0 && NEEDS_LABELS.has(strategy)) continue;
      if (budget > 0 && BUDGET_FREE.has(strategy)) continue;
      if (budget === 0 && strategy === 'pooled') continue;
      const key = rowKey({ part: 'loso', target_site: target, strategy, budget, seed });
      if (setup.done.has(key)) continue;
      const t0 = performance.now();
      const trained = await getStrategy(strategy).run(ctxFor(data, strategy));
      const fs = trained.preprocessor.transform(test);
      const m = score(fs.labels, predictProba(trained.model, fs));
      const row: GridRow = { part: 'loso', target_site: target, strategy, budget, seed, ...m, n_test: test.length, n_labelled: labelled.length, seconds: (performance.now() - t0) / 1000, report: trained.report };
      await emit(setup, row);
      setup.log(`${target} s${seed} b${budget} ${strategy.padEnd(24)} auroc ${m.auroc?.toFixed(3) ?? 'n/a'} acc ${m.accuracy.toFixed(3)} (${row.seconds.toFixed(1)} s)`);
      if (strategy !== 'source_only') trained.model.net.dispose();
    }
  }
  const pretrained = startedPretraining();
  if (pretrained) (await pretrained).model.net.dispose();
  await releasePerSourceModels({ sourceTrain });
  await releaseLabelBlindStages({ sourceTrain });
}

/**
 * FLamby-style comparison for one seed: train on all four sites' training splits pooled, and on each
 * site alone, and score accuracy on the pooled test splits of all four sites.
 */
export async function runFlambyCell(setup: GridSetup, sites: readonly string[], seed: number): Promise<void> {
  const splits = sites.map((s) => siteSplit(setup.samples, s, seed));
  const pooledTest = splits.flatMap((s) => s.test);
  const settings: [string, Sample[]][] = [['pooled_all_sites', splits.flatMap((s) => s.pool)], ...sites.map((s, i): [string, Sample[]] => [`${s}_only`, splits[i].pool])];
  for (const [name, rows] of settings) {
    const key = rowKey({ part: 'flamby', target_site: 'pooled_test', strategy: name, budget: null, seed });
    if (setup.done.has(key)) continue;
    const t0 = performance.now();
    const [train, val] = stratifiedTwoWay(rows, 0.85, `heart:${seed}:flamby:${name}`);
    const pre = fitPreprocessor(train, { modalities: ['tabular'], schema: setup.schema, image: { window: setup.cfg.preprocess.window, size: setup.cfg.preprocess.imageSize } });
    const ctxLike = { architecture: setup.cfg.model, modalities: ['tabular'] } as unknown as TransferContext;
    const model = buildFusionModel(specFor(ctxLike, pre), seed);
    trainPhase(model, pre.transform(train), val.length ? pre.transform(val) : null, { ...setup.cfg.training.pretrain, name, trainable: ['image', 'tabular', 'head'] }, { seed, balanceClasses: true });
    const fs = pre.transform(pooledTest);
    const m = score(fs.labels, predictProba(model, fs));
    model.net.dispose();
    const row: GridRow = { part: 'flamby', target_site: 'pooled_test', strategy: name, budget: null, seed, ...m, n_test: pooledTest.length, n_labelled: rows.length, seconds: (performance.now() - t0) / 1000 };
    await emit(setup, row);
    setup.log(`flamby s${seed} ${name.padEnd(24)} auroc ${m.auroc?.toFixed(3) ?? 'n/a'} acc ${m.accuracy.toFixed(3)}`);
  }
}
