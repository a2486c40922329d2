import { z } from 'zod';
import { defineStrategy, type DefinedStrategy } from '../define.js';
import { optionIssues } from '../options.js';
import type { InnerCvCandidateScore, InnerCvMetric, TrainedModel, TransferContext, TransferStrategy } from '../types.js';
import { crossValidate, effectiveFolds, innerSplits, labelBudget, meanMerit, pairedGain, smallerClass, type InnerCvScore } from './inner-cv.js';

/** The candidates `auto` tries when the experiment file names none; names not registered are skipped with a note. */
export const DEFAULT_AUTO_CANDIDATES: readonly string[] = [
  'source_only',
  'update_intercept',
  'update_logistic',
  'update_revision',
  'update_closed_test',
  'linear_probe',
  'freeze_unfreeze',
  'full_finetune',
  'gradual_unfreeze',
  'discriminative_lr',
  'l2sp',
  'target_only_logistic',
  'ensemble_source_target',
];

/**
 * The default candidate added when the method reads images: the target-budget logistic regression on the
 * records and the frozen source image embedding (a linear probe with a tuned penalty).
 */
export const EMBEDDING_LOGISTIC_CANDIDATE = { name: 'embedding_logistic', strategy: 'target_only_logistic', options: { features: 'both' } } as const;

/** The baseline auto falls back to, always among its candidates. */
const REFERENCE = 'source_only';

/** The strategies auto may run, looked up at parse and run time (the registry, passed in to keep modules acyclic). */
export interface StrategyLookup {
  get(name: string): TransferStrategy | undefined;
  names(): readonly string[];
}

const candidateSchema = z.union([
  z.string().min(1),
  z.strictObject({
    strategy: z.string().min(1),
    /** Row name in the report; default the strategy's name. */
    name: z.string().min(1).optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  }),
]);

/** One candidate as auto runs it. */
interface Candidate {
  readonly name: string;
  readonly strategy: string;
  readonly options?: unknown;
}

function normalise(c: z.output<typeof candidateSchema>): Candidate {
  return typeof c === 'string' ? { name: c, strategy: c } : { name: c.name ?? c.strategy, strategy: c.strategy, ...(c.options ? { options: c.options } : {}) };
}

const METRIC_WORDS: Record<InnerCvMetric, string> = { log_loss: 'log-loss', auroc: 'AUROC' };

/** The guard, in words, as the report states it. */
const guardWords = (metric: InnerCvMetric, minPerClass: number): string =>
  `with at least ${minPerClass} labelled subjects of each class, a candidate replaces ${REFERENCE} only when its mean per-fold ${METRIC_WORDS[metric]} gain over ${REFERENCE} exceeds one standard error of that paired gain` +
  (metric === 'log_loss' ? ` and its mean per-fold AUROC gain over ${REFERENCE} is not negative` : '');

/**
 * Builds `strategy: auto`: choose among candidate strategies by inner cross-validation of the target
 * label budget (mean held-out log-loss), guarded so that a candidate replaces source_only only when it
 * beats it beyond noise, then run the choice on the whole budget as the outer run would.
 */
export function makeAutoStrategy(lookup: StrategyLookup): DefinedStrategy<z.ZodType> {
  const options = z
    .strictObject({
      /** Strategy names, or {strategy, name?, options?}; default DEFAULT_AUTO_CANDIDATES. source_only is always added. */
      candidates: z.array(candidateSchema).min(1).optional(),
      folds: z.number().int().min(2).default(5),
      repeats: z.number().int().positive().default(1),
      /** The held-out score that selects: log-loss (calibration and ranking) or AUROC (ranking only). */
      selectBy: z.enum(['log_loss', 'auroc']).default('log_loss'),
      /** Below this many labelled subjects of the smaller class auto keeps source_only: inner folds would hold one or two of a class. */
      minPerClass: z.number().int().min(2).default(5),
    })
    .superRefine((o, ctx) => {
      const seen = new Set<string>();
      (o.candidates ?? []).forEach((raw, i) => {
        const c = normalise(raw);
        const s = lookup.get(c.strategy);
        if (c.strategy === 'auto') ctx.addIssue({ code: 'custom', path: ['candidates', i], message: "auto cannot be its own candidate" });
        else if (!s) ctx.addIssue({ code: 'custom', path: ['candidates', i], message: `unknown strategy '${c.strategy}'; known: ${lookup.names().join(', ')}` });
        else if (c.options !== undefined) {
          const problems = s.options ? optionIssues(s.options, c.options) : Object.keys(c.options as object).length ? [`strategy '${c.strategy}' takes no options`] : [];
          for (const p of problems) ctx.addIssue({ code: 'custom', path: ['candidates', i, 'options'], message: `candidate '${c.name}': ${p}` });
        }
        if (seen.has(c.name)) ctx.addIssue({ code: 'custom', path: ['candidates', i], message: `the candidate name '${c.name}' is used twice; give one a name:` });
        seen.add(c.name);
      });
    });
  return defineStrategy({
    name: 'auto',
    description: 'choose among candidate strategies by inner cross-validation of the target budget, keeping source_only unless a candidate beats it beyond noise',
    options,
    usesSource: true,
    usesPretrained: true,
    run: (ctx, opts) => runAuto(ctx, opts, lookup),
  });
}

/**
 * The guard on one candidate against source_only over the same inner folds: its paired gain in the selecting
 * score must exceed one standard error, and, selecting by log-loss, its paired AUROC gain must not be negative.
 */
export function guard(reference: InnerCvScore, candidate: InnerCvScore, metric: InnerCvMetric): Pick<InnerCvCandidateScore, 'gainOverSourceOnly' | 'gainSe' | 'aurocGainOverSourceOnly' | 'eligible'> {
  const g = pairedGain(reference, candidate, metric);
  if (metric === 'auroc') return { gainOverSourceOnly: g.mean, gainSe: g.se, eligible: g.mean > g.se };
  // A lower log-loss can come from calibration alone while the ranking gets worse; auto must not rank worse than doing nothing.
  const a = pairedGain(reference, candidate, 'auroc');
  return { gainOverSourceOnly: g.mean, gainSe: g.se, aurocGainOverSourceOnly: a.mean, eligible: g.mean > g.se && a.mean >= 0 };
}

function scoreRow(name: string, s: InnerCvScore): InnerCvCandidateScore {
  return { name, meanLogLoss: s.meanLogLoss, sdLogLoss: s.sdLogLoss, meanAuroc: s.meanAuroc, sdAuroc: s.sdAuroc };
}

async function runAuto(ctx: TransferContext, opts: { candidates?: readonly z.output<typeof candidateSchema>[]; folds: number; repeats: number; selectBy: InnerCvMetric; minPerClass: number }, lookup: StrategyLookup): Promise<TrainedModel> {
  const notes: string[] = [];
  let candidates: Candidate[];
  if (opts.candidates) candidates = opts.candidates.map(normalise);
  else {
    const missing = DEFAULT_AUTO_CANDIDATES.filter((n) => !lookup.get(n));
    if (missing.length) notes.push(`default candidates not registered in this build, skipped: ${missing.join(', ')}`);
    candidates = DEFAULT_AUTO_CANDIDATES.filter((n) => lookup.get(n)).map((n) => ({ name: n, strategy: n }));
    if (ctx.modalities.includes('image') && lookup.get(EMBEDDING_LOGISTIC_CANDIDATE.strategy)) candidates.push(EMBEDDING_LOGISTIC_CANDIDATE);
  }
  if (!candidates.some((c) => c.name === REFERENCE)) candidates = [{ name: REFERENCE, strategy: REFERENCE }, ...candidates];
  const strategyOf = (c: Candidate): TransferStrategy => {
    const s = lookup.get(c.strategy);
    if (!s) throw new Error(`auto: candidate '${c.name}' names unknown strategy '${c.strategy}'`);
    return s;
  };
  const budget = labelBudget(ctx);
  const plan = { folds: opts.folds, repeats: opts.repeats };
  const k = effectiveFolds(budget, plan);
  const fewest = smallerClass(budget);
  if (k < 2 || fewest < opts.minPerClass) {
    // With one or two subjects of a class per held-out fold the inner scores are mostly chance, and a chance
    // winner can rank worse than the source model (8 Dec heart-disease grid, docs/methods.md); doing nothing is the safe choice.
    notes.push(`the label budget (${budget.length} rows) has ${fewest} subjects of its smaller class, fewer than ${Math.max(2, opts.minPerClass)}, so auto kept ${REFERENCE} without cross-validating`);
    const trained = await strategyOf({ name: REFERENCE, strategy: REFERENCE }).run({ ...ctx, options: undefined });
    const auto = { chosen: REFERENCE, selectedBy: opts.selectBy, folds: 0, repeats: 0, guard: guardWords(opts.selectBy, opts.minPerClass), candidates: [] };
    return { ...trained, report: { ...trained.report, auto, notes: [...(trained.report?.notes ?? []), ...notes] } };
  }
  const splits = innerSplits(budget, plan, ctx.seed);
  const scores = new Map<string, InnerCvScore>();
  const errors = new Map<string, string>();
  for (const c of candidates) {
    const s = strategyOf(c);
    try {
      scores.set(c.name, await crossValidate(ctx, splits, (inner) => s.run(inner), 'split', c.options));
    } catch (e) {
      // A candidate that cannot run on this budget (e.g. one class in a fitting part) drops out; the rest still compete.
      errors.set(c.name, (e as Error).message);
    }
  }
  const ref = scores.get(REFERENCE);
  if (!ref) throw new Error(`auto: ${REFERENCE} failed on the inner splits: ${errors.get(REFERENCE)}`);
  const rows: InnerCvCandidateScore[] = candidates.map((c) => {
    const s = scores.get(c.name);
    if (!s) return { name: c.name, meanLogLoss: Number.NaN, sdLogLoss: Number.NaN, meanAuroc: Number.NaN, sdAuroc: Number.NaN, error: errors.get(c.name) ?? 'no score', eligible: false };
    if (c.name === REFERENCE) return { ...scoreRow(c.name, s), gainOverSourceOnly: 0, gainSe: 0, eligible: true };
    return { ...scoreRow(c.name, s), ...guard(ref, s, opts.selectBy) };
  });
  // Among source_only and the candidates that cleared the guard, the best mean held-out score wins;
  // strictly better, so ties keep the earlier (source_only first) candidate.
  const merit = (r: InnerCvCandidateScore): number => meanMerit({ folds: [], meanLogLoss: r.meanLogLoss, sdLogLoss: r.sdLogLoss, meanAuroc: r.meanAuroc, sdAuroc: r.sdAuroc }, opts.selectBy);
  const chosenRow = rows.filter((r) => r.eligible).reduce((a, b) => (merit(b) > merit(a) ? b : a));
  const chosen = candidates.find((c) => c.name === chosenRow.name)!;
  const trained = await strategyOf(chosen).run({ ...ctx, options: chosen.options });
  const auto = { chosen: chosen.name, selectedBy: opts.selectBy, folds: k, repeats: opts.repeats, guard: guardWords(opts.selectBy, opts.minPerClass), candidates: rows };
  const allNotes = [...(trained.report?.notes ?? []), ...notes];
  return { ...trained, report: { ...trained.report, auto, ...(allNotes.length ? { notes: allNotes } : {}) } };
}
