import { subjectKey } from '../../data/splits.js';
import type { Sample } from '../../data/types.js';
import { auroc, logLoss } from '../../evaluate/metrics.js';
import { predictProba } from '../../models/fusion.js';
import { deriveSeed, Rng } from '../../util/random.js';
import type { InnerCvMetric, TrainedModel, TransferContext } from '../types.js';

/** One inner split of the target label budget: the part a run may fit on and the fold it is scored on. */
export interface InnerSplit {
  /** Repeat and fold index, e.g. `r0f2`. */
  readonly id: string;
  readonly fit: readonly Sample[];
  readonly held: readonly Sample[];
}

/** How inner cross-validation splits a label budget. */
export interface InnerCvPlan {
  /** Folds per repeat; lowered to the number of subjects in the smaller class when that is fewer. */
  readonly folds: number;
  readonly repeats: number;
}

/**
 * What plays early stopping inside an inner fit: `split` cuts the fitting part into fit and
 * early-stopping rows in the outer budget's own proportion (so a candidate is scored as the outer run
 * would run it); `none` fits on the whole part with no validation rows (for tuning epochs, where the
 * epoch count itself is the stopping rule being chosen).
 */
export type InnerEarlyStopping = 'split' | 'none';

/** One held-out fold's scores of a run. */
export interface InnerFoldScore {
  readonly fold: string;
  /** Mean binary cross-entropy on the held-out fold (lower is better). */
  readonly logLoss: number;
  /** AUROC on the held-out fold; NaN where it has one class. */
  readonly auroc: number;
}

/** A run's inner-CV scores with their mean and spread over folds. */
export interface InnerCvScore {
  readonly folds: readonly InnerFoldScore[];
  readonly meanLogLoss: number;
  /** Standard deviation of the per-fold log-loss. */
  readonly sdLogLoss: number;
  readonly meanAuroc: number;
  readonly sdAuroc: number;
}

/** The labelled target budget (fitting plus early-stopping rows), the rows inner CV splits. */
export function labelBudget(ctx: TransferContext): Sample[] {
  return [...ctx.data.targetTrain, ...ctx.data.targetVal];
}

/** Subjects of a budget grouped (a subject's samples stay together), each group with its label. */
function subjects(samples: readonly Sample[]): { key: string; label: number; rows: Sample[] }[] {
  const by = new Map<string, { key: string; label: number; rows: Sample[] }>();
  for (const s of samples) {
    const k = subjectKey(s);
    const g = by.get(k);
    if (g) g.rows.push(s);
    else by.set(k, { key: k, label: s.label, rows: [s] });
  }
  // Sorted so the folds depend on the seed and the subjects, not on the order the budget came in.
  return [...by.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Subjects of the smaller class in a label budget (a subject's samples count once). */
export function smallerClass(samples: readonly Sample[]): number {
  const groups = subjects(samples);
  const pos = groups.filter((g) => g.label === 1).length;
  return Math.min(pos, groups.length - pos);
}

/** Folds actually used for a budget: the plan's, capped by the smaller class so every held-out fold has both classes. */
export function effectiveFolds(samples: readonly Sample[], plan: InnerCvPlan): number {
  const groups = subjects(samples);
  const pos = groups.filter((g) => g.label === 1).length;
  return Math.min(plan.folds, pos, groups.length - pos);
}

/**
 * Label-stratified, subject-grouped k-fold splits of a label budget, `repeats` times, seeded through
 * deriveSeed so the same seed gives the same folds. Throws when the smaller class has fewer than 2 subjects.
 */
export function innerSplits(samples: readonly Sample[], plan: InnerCvPlan, seed: number): InnerSplit[] {
  const k = effectiveFolds(samples, plan);
  if (k < 2) throw new Error(`inner cross-validation needs at least 2 labelled subjects of each class in the target budget; it has ${samples.length} rows, ${k < 0 ? 0 : k} in the smaller class`);
  const groups = subjects(samples);
  const out: InnerSplit[] = [];
  for (let r = 0; r < plan.repeats; r++) {
    const rng = new Rng(deriveSeed(seed, 'inner-cv', `repeat ${r}`));
    // Dealing the shuffled positives, then the shuffled negatives, round-robin with one running counter
    // keeps each fold's class counts within one of each other and its size within one of the others.
    const order = [...rng.shuffle(groups.filter((g) => g.label === 1)), ...rng.shuffle(groups.filter((g) => g.label !== 1))];
    const foldOf = new Map(order.map((g, i) => [g.key, i % k]));
    for (let f = 0; f < k; f++) {
      out.push({
        id: `r${r}f${f}`,
        fit: groups.filter((g) => foldOf.get(g.key) !== f).flatMap((g) => g.rows),
        held: groups.filter((g) => foldOf.get(g.key) === f).flatMap((g) => g.rows),
      });
    }
  }
  return out;
}

/** The fitting part cut into fit and early-stopping rows, stratified, in the outer budget's proportion. */
function splitForEarlyStopping(ctx: TransferContext, fit: readonly Sample[], seed: number): { train: Sample[]; val: Sample[] } {
  const { targetTrain, targetVal } = ctx.data;
  const fraction = targetVal.length / (targetTrain.length + targetVal.length);
  const groups = subjects(fit);
  const rng = new Rng(deriveSeed(seed, 'inner-cv', 'early-stopping'));
  const val = new Set<string>();
  for (const cls of [1, 0]) {
    const members = rng.shuffle(groups.filter((g) => (g.label === 1 ? 1 : 0) === cls));
    // At least one of each class stays for fitting.
    const nVal = Math.min(Math.round(members.length * fraction), members.length - 1);
    for (const g of members.slice(0, Math.max(0, nVal))) val.add(g.key);
  }
  return {
    train: groups.filter((g) => !val.has(g.key)).flatMap((g) => g.rows),
    val: groups.filter((g) => val.has(g.key)).flatMap((g) => g.rows),
  };
}

/**
 * The context a run sees inside one inner split: its label budget is the split's fitting part (cut for
 * early stopping as `earlyStopping` says); the held-out fold joins the unlabelled pool with its labels
 * blanked, so label-blind stages see the same target pool as in the outer run and reuse its cache.
 * `options` replaces the context's raw options (a candidate's own, not auto's).
 */
export function innerContext(ctx: TransferContext, split: InnerSplit, earlyStopping: InnerEarlyStopping, options: unknown): TransferContext {
  const { train, val } = earlyStopping === 'split' ? splitForEarlyStopping(ctx, split.fit, deriveSeed(ctx.seed, split.id)) : { train: [...split.fit], val: [] };
  const blanked = split.held.map((s) => ({ ...s, label: 0 as const }));
  return {
    ...ctx,
    data: { ...ctx.data, targetTrain: train, targetVal: val, targetUnlabelled: [...ctx.data.targetUnlabelled, ...blanked] },
    options,
    label: `${ctx.label} · inner ${split.id}`,
  };
}

function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return { mean: Number.NaN, sd: Number.NaN };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, sd };
}

/** Mean and standard deviation of per-fold scores. */
export function summarise(folds: readonly InnerFoldScore[]): InnerCvScore {
  const l = meanSd(folds.map((f) => f.logLoss));
  const a = meanSd(folds.map((f) => f.auroc));
  return { folds, meanLogLoss: l.mean, sdLogLoss: l.sd, meanAuroc: a.mean, sdAuroc: a.sd };
}

/**
 * Runs `run` on each split's inner context and scores its model on the held-out fold. Models the run
 * made are disposed; the shared source-pretrained model (returned as is by e.g. source_only) is not.
 */
export async function crossValidate(
  ctx: TransferContext,
  splits: readonly InnerSplit[],
  run: (inner: TransferContext) => Promise<TrainedModel>,
  earlyStopping: InnerEarlyStopping,
  /** The raw options the inner context carries (undefined: none). */
  options: unknown,
): Promise<InnerCvScore> {
  const folds: InnerFoldScore[] = [];
  for (const split of splits) {
    let shared: unknown = null;
    const inner: TransferContext = {
      ...innerContext(ctx, split, earlyStopping, options),
      pretrained: async () => {
        const p = await ctx.pretrained();
        shared = p.model;
        return p;
      },
    };
    const trained = await run(inner);
    try {
      const fs = trained.preprocessor.transform(split.held);
      const probs = predictProba(trained.model, fs);
      folds.push({ fold: split.id, logLoss: logLoss(fs.labels, probs), auroc: auroc(fs.labels, probs) });
    } finally {
      if (trained.model !== shared) trained.model.net.dispose();
    }
  }
  return summarise(folds);
}

/** A fold's score oriented so that higher is better: minus the log-loss, or the AUROC. */
export function foldMerit(f: InnerFoldScore, metric: InnerCvMetric): number {
  return metric === 'log_loss' ? -f.logLoss : f.auroc;
}

/** A candidate's mean merit over its folds (higher is better) in the selecting metric. */
export function meanMerit(s: InnerCvScore, metric: InnerCvMetric): number {
  return metric === 'log_loss' ? -s.meanLogLoss : s.meanAuroc;
}

/** Mean and standard error of the per-fold gain of `candidate` over `reference` in `metric` (positive: the candidate is better). */
export function pairedGain(reference: InnerCvScore, candidate: InnerCvScore, metric: InnerCvMetric = 'log_loss'): { mean: number; se: number } {
  const byFold = new Map(reference.folds.map((f) => [f.fold, foldMerit(f, metric)]));
  const d = candidate.folds.filter((f) => byFold.has(f.fold)).map((f) => foldMerit(f, metric) - byFold.get(f.fold)!);
  const { mean, sd } = meanSd(d);
  return { mean, se: d.length > 0 ? sd / Math.sqrt(d.length) : Number.NaN };
}
