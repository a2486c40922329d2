// One (target site, seed) of the heart-disease leave-one-site-out grid (bench/heart-loso.ts): the fixed
// 1/3 test split, the source pretraining shared by every strategy, and one JSONL row per budget × strategy.
import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import type { ColumnSpec, Sample } from '../src/data/types.js';
import { brierScore } from '../src/evaluate/calibration.js';
import { labelBudgetCurve } from '../src/evaluate/protocols/label-budget-curve.js';
import type { ExperimentConfig } from '../src/config/experiment.js';
import { predictProba } from '../src/models/fusion.js';
import { sameWeights } from '../src/models/same-weights.js';
import { releasePerSourceModels } from '../src/transfer/multi-source/per-source.js';
import { getStrategy } from '../src/transfer/registry.js';
import { releaseLabelBlindStages } from '../src/transfer/stage-cache.js';
import type { TransferData } from '../src/transfer/types.js';
import { Rng } from '../src/util/random.js';
import { score, siteSplit, stratifiedTwoWay, tabularContexts } from './accuracy-grid.js';

/** One run of the grid, one JSON object per line of the rows file; the summary is computed from these alone. */
export interface HeartLosoRow {
  readonly site: string;
  readonly seed: number;
  /** Fraction of the target's training pool that is labelled; null for a budget-free strategy (run once, valid at every budget). */
  readonly budget: number | null;
  readonly strategy: string;
  /** Target-test AUROC; null when the test set has one class or the run failed. */
  readonly auroc: number | null;
  readonly brier: number | null;
  /** Accuracy at threshold 0.5. */
  readonly accuracy: number | null;
  readonly n_test: number;
  readonly n_labelled: number;
  /** Whether the returned model holds the pretrained source weights bit for bit; null where the strategy does not start from them. */
  readonly kept_source_model: boolean | null;
  readonly seconds: number;
  /** Strategy options the grid passed (e.g. shortened adaptation), when any. */
  readonly options?: unknown;
  /** The strategy's report notes (e.g. the closed test's choice). */
  readonly notes?: readonly string[];
  /** Why the run produced no model (e.g. a strategy that needs labels at budget 0). */
  readonly error?: string;
  /** Compute backend, with "+native" where medtl's native kernels ran. */
  readonly backend: string;
  /** The code's git commit (short), with "+dirty" for uncommitted changes: rows of other commits in one file are not comparable. */
  readonly commit: string;
}

/**
 * Strategies whose model does not depend on the label budget: fitted on the sources only. They run once per
 * site and seed (budget null) and serve as the paired reference at every budget.
 */
export const BUDGET_FREE: ReadonlySet<string> = new Set(['source_only', 'source_only_logistic']);

/** Identity of a row, for resuming. */
export function heartRowKey(r: Pick<HeartLosoRow, 'site' | 'seed' | 'budget' | 'strategy'>): string {
  return [r.site, r.seed, r.budget ?? 'any', r.strategy].join('|');
}

/** What one (site, seed) cell of the grid needs. */
export interface HeartGridSetup {
  readonly samples: readonly Sample[];
  readonly schema: readonly ColumnSpec[];
  readonly cfg: ExperimentConfig;
  readonly rowsFile: string;
  /** Keys of rows already in the rows file (resume). */
  readonly done: Set<string>;
  /** Strategy options by strategy name. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly backend: string;
  readonly commit: string;
  /** Called after every row is written. */
  readonly onRow: (row: HeartLosoRow) => void;
}

/** The target-side split of one seed: the training pool (budgets are drawn from it) and the fixed 1/3 test set. */
export function heartSplit(samples: readonly Sample[], site: string, seed: number): { pool: Sample[]; test: Sample[]; sourceTrain: Sample[]; sourceVal: Sample[] } {
  const { pool, test } = siteSplit(samples, site, seed);
  const [sourceTrain, sourceVal] = stratifiedTwoWay(
    samples.filter((s) => s.siteId !== site),
    0.85,
    `heart:${seed}:sources-of-${site}`,
  );
  return { pool, test, sourceTrain, sourceVal };
}

/** Runs every strategy at every budget for one target site and seed, appending one row each; rows in `done` are skipped. */
export async function runHeartCell(setup: HeartGridSetup, site: string, seed: number, budgets: readonly number[], strategies: readonly string[]): Promise<void> {
  const { pool, test, sourceTrain, sourceVal } = heartSplit(setup.samples, site, seed);
  const curve = labelBudgetCurve(
    pool,
    budgets.map((fraction) => ({ fraction })),
    seed,
  );
  const { contextFor: ctxFor, pretrained: startedPretraining } = tabularContexts(setup, seed);
  const dataAt = (bi: number): TransferData => {
    const point = curve[bi];
    const labelled = new Rng(`heart:${seed}:${site}:${budgets[bi]}:val`).shuffle(point.labelled);
    // 30% of a labelled budget of 4 or more is held for early stopping, as the experiment default (targetValFraction).
    const nVal = labelled.length >= 4 ? Math.round(labelled.length * 0.3) : 0;
    return { sourceTrain, sourceVal, targetTrain: labelled.slice(nVal), targetVal: labelled.slice(0, nVal), targetUnlabelled: point.unlabelled };
  };
  const runOne = async (strategy: string, budget: number | null, data: TransferData): Promise<void> => {
    const key = heartRowKey({ site, seed, budget, strategy });
    if (setup.done.has(key)) return;
    const started = performance.now();
    const s = getStrategy(strategy);
    const base = { site, seed, budget, strategy, n_test: test.length, n_labelled: data.targetTrain.length + data.targetVal.length, backend: setup.backend, commit: setup.commit, ...(setup.options[strategy] === undefined ? {} : { options: setup.options[strategy] }) };
    let row: HeartLosoRow;
    try {
      const trained = await s.run(ctxFor(data, strategy));
      const shared = startedPretraining();
      const source = shared ? (await shared).model : undefined;
      const kept = s.usesPretrained && source ? sameWeights(trained.model, source) : null;
      const fs = trained.preprocessor.transform(test);
      const p = predictProba(trained.model, fs);
      const m = score(fs.labels, p);
      row = { ...base, auroc: m.auroc, brier: brierScore(fs.labels, p), accuracy: m.accuracy, kept_source_model: kept, seconds: (performance.now() - started) / 1000, ...(trained.report?.notes?.length ? { notes: trained.report.notes } : {}) };
      // The shared source model (returned as is by source_only, or by any strategy that keeps it) lives until the cell ends.
      if (!source || trained.model.net !== source.net) trained.model.net.dispose();
    } catch (e) {
      // Recorded, not thrown: a strategy that needs labels at budget 0 (or one that fails in a cell) leaves a row saying why, so a resumed grid does not retry it.
      row = { ...base, auroc: null, brier: null, accuracy: null, kept_source_model: null, seconds: (performance.now() - started) / 1000, error: (e as Error).message.split('\n')[0] };
    }
    await appendFile(setup.rowsFile, JSON.stringify(row) + '\n');
    setup.done.add(key);
    setup.onRow(row);
  };
  const noLabels: TransferData = { sourceTrain, sourceVal, targetTrain: [], targetVal: [], targetUnlabelled: pool };
  for (const strategy of strategies.filter((s) => BUDGET_FREE.has(s))) await runOne(strategy, null, noLabels);
  for (const [bi, budget] of budgets.entries()) {
    const data = dataAt(bi);
    for (const strategy of strategies.filter((s) => !BUDGET_FREE.has(s))) await runOne(strategy, budget, data);
  }
  const pretrained = startedPretraining();
  if (pretrained) (await pretrained).model.net.dispose();
  await releasePerSourceModels({ sourceTrain });
  await releaseLabelBlindStages({ sourceTrain });
}

/** The rows of a grid JSONL file ([] when it does not exist yet), naming the line of any that is not JSON. */
export async function readHeartRows(file: string): Promise<HeartLosoRow[]> {
  if (!existsSync(file)) return [];
  return (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l, i) => {
      try {
        return JSON.parse(l) as HeartLosoRow;
      } catch {
        throw new Error(`${file}: line ${i + 1} is not JSON (an interrupted write? delete that line and rerun)`);
      }
    });
}
