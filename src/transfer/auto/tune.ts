import { z } from 'zod';
import type { TrainedModel, TransferContext, InnerCvCandidateScore, TrainingPlan } from '../types.js';
import { crossValidate, effectiveFolds, innerSplits, labelBudget } from './inner-cv.js';

/**
 * A fine-tuning regime's `tune` option: false runs the regime as configured (early stopping on the
 * budget's validation rows); true or a grid chooses the target phases' learning rate and epochs by
 * inner cross-validation of the label budget, then refits on the whole budget.
 */
export const TUNE_OPTION = z
  .union([
    z.boolean(),
    z.strictObject({
      /** Multipliers of the head and fine-tune phases' learning rates. */
      learningRateScales: z.array(z.number().positive()).min(1).default([1, 3]),
      /** Epochs of each target phase (for gradual_unfreeze, of each stage). */
      epochs: z.array(z.number().int().positive()).min(1).default([10, 30]),
      folds: z.number().int().min(2).default(3),
      repeats: z.number().int().positive().default(1),
    }),
  ])
  .default(false);

/** The parsed `tune` option. */
export type TuneOption = z.output<typeof TUNE_OPTION>;

/** One point of a tuning grid. */
export interface TunePoint {
  readonly learningRateScale: number;
  readonly epochs: number;
}

const DEFAULT_GRID = { learningRateScales: [1, 3], epochs: [10, 30], folds: 3, repeats: 1 } as const;

function pointName(p: TunePoint): string {
  return `lr x${p.learningRateScale}, ${p.epochs} epochs`;
}

/** The plan with the head and fine-tune phases' learning rate scaled and epochs set by a grid point. */
export function planAt(plan: TrainingPlan, p: TunePoint): TrainingPlan {
  const at = (ph: TrainingPlan['head']) => ({ ...ph, learningRate: ph.learningRate * p.learningRateScale, epochs: p.epochs });
  return { ...plan, head: at(plan.head), finetune: at(plan.finetune) };
}

/**
 * Runs a fine-tuning regime, tuned when its options ask: each grid point is scored by inner CV with no
 * early-stopping rows (the point's epoch count is the stopping rule being chosen), the point with the
 * lowest mean held-out log-loss is refitted on the whole budget, and the scores go into the report.
 * `configure` lets a regime map a point onto its own options (gradual_unfreeze's epochs per stage).
 */
export async function runTuned<O extends { readonly tune: TuneOption }>(
  ctx: TransferContext,
  opts: O,
  fit: (ctx: TransferContext, opts: O) => Promise<TrainedModel>,
  configure: (opts: O, p: TunePoint) => O = (o) => o,
): Promise<TrainedModel> {
  if (opts.tune === false) return fit(ctx, opts);
  const grid = opts.tune === true ? DEFAULT_GRID : opts.tune;
  const budget = labelBudget(ctx);
  const untuned = { ...opts, tune: false } as O;
  const plan = { folds: grid.folds, repeats: grid.repeats };
  const k = effectiveFolds(budget, plan);
  if (k < 2) {
    const trained = await fit(ctx, untuned);
    const note = `tune: the budget has fewer than 2 subjects of a class, so the regime ran untuned`;
    return { ...trained, report: { ...trained.report, notes: [...(trained.report?.notes ?? []), note] } };
  }
  const splits = innerSplits(budget, plan, ctx.seed);
  const points = grid.learningRateScales.flatMap((learningRateScale) => grid.epochs.map((epochs) => ({ learningRateScale, epochs })));
  const scored: { point: TunePoint; score: InnerCvCandidateScore }[] = [];
  for (const point of points) {
    const s = await crossValidate(ctx, splits, (inner) => fit({ ...inner, plan: planAt(inner.plan, point) }, configure(untuned, point)), 'none', ctx.options);
    scored.push({ point, score: { name: pointName(point), meanLogLoss: s.meanLogLoss, sdLogLoss: s.sdLogLoss, meanAuroc: s.meanAuroc, sdAuroc: s.sdAuroc } });
  }
  // Strictly lower wins, so ties keep the grid's first (smallest) point.
  const best = scored.reduce((a, b) => (b.score.meanLogLoss < a.score.meanLogLoss ? b : a));
  const whole: TransferContext = { ...ctx, plan: planAt(ctx.plan, best.point), data: { ...ctx.data, targetTrain: budget, targetVal: [] } };
  const trained = await fit(whole, configure(untuned, best.point));
  const tuning = { chosen: pointName(best.point), selectedBy: 'log_loss' as const, folds: k, repeats: grid.repeats, candidates: scored.map((s) => s.score) };
  return { ...trained, report: { ...trained.report, tuning } };
}
