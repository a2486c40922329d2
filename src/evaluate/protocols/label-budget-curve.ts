import type { Sample } from '../../data/types.js';
import { Rng } from '../../util/random.js';
import { groupSubjects, samplesOf } from './subjects.js';

/** A label budget: a number of subjects, or a fraction of the pool's subjects (rounded). */
export type LabelBudget = { readonly count: number } | { readonly fraction: number };

/** One point of a label-budget curve: the labelled subset and the rest of the pool. */
export interface BudgetPoint {
  readonly budget: LabelBudget;
  /** Labelled subjects; 0 means unsupervised (no labels). */
  readonly size: number;
  readonly unsupervised: boolean;
  readonly labelled: readonly Sample[];
  readonly unlabelled: readonly Sample[];
}

/** Describes a budget for error messages, e.g. `fraction 1.5` or `count 7`. */
export function describeBudget(b: LabelBudget): string {
  return 'count' in b ? `count ${b.count}` : `fraction ${b.fraction}`;
}

/** Resolves a budget to a number of subjects of a pool of `nSubjects`, throwing on a bad budget. */
export function resolveBudget(b: LabelBudget, nSubjects: number): number {
  if ('count' in b) {
    if (!Number.isInteger(b.count) || b.count < 0) throw new Error(`label budget ${describeBudget(b)} must be a non-negative integer`);
    if (b.count > nSubjects) throw new Error(`label budget ${describeBudget(b)} exceeds the ${nSubjects} subjects of the pool`);
    return b.count;
  }
  if (!Number.isFinite(b.fraction) || b.fraction < 0 || b.fraction > 1) throw new Error(`label budget ${describeBudget(b)} must be in [0, 1]`);
  return Math.round(b.fraction * nSubjects);
}

/** Positives in a labelled set of `b` subjects: prevalence-matched, both classes when b >= 2, monotone in b. */
function positivesFor(b: number, nPos: number, nNeg: number): number {
  const n = nPos + nNeg;
  let p = Math.round((b * nPos) / Math.max(n, 1));
  if (b >= 2 && nPos > 0 && nNeg > 0) p = Math.min(Math.max(p, 1), b - 1);
  // Clamp to what the pool holds; max/min of non-decreasing functions of b keep p and b - p non-decreasing.
  return Math.min(Math.max(p, b - nNeg), nPos);
}

/**
 * Plans a label-budget curve over a target training pool: nested, label-stratified subject subsets,
 * one per budget, so a larger budget holds every subject of a smaller one.
 */
export function labelBudgetCurve(pool: readonly Sample[], budgets: readonly LabelBudget[], seed: number): BudgetPoint[] {
  if (budgets.length === 0) throw new Error('label-budget curve needs at least one budget');
  const groups = groupSubjects(pool);
  const sizes = budgets.map((b) => resolveBudget(b, groups.length));
  const rng = new Rng(seed);
  // One fixed order per class: every budget takes a prefix of each, which makes the subsets nested.
  const pos = rng.shuffle(groups.filter((g) => g.label === 1));
  const neg = rng.shuffle(groups.filter((g) => g.label === 0));
  return budgets.map((budget, i) => {
    const size = sizes[i];
    const nPos = positivesFor(size, pos.length, neg.length);
    const nNeg = size - nPos;
    return {
      budget,
      size,
      unsupervised: size === 0,
      labelled: samplesOf([...pos.slice(0, nPos), ...neg.slice(0, nNeg)]),
      unlabelled: samplesOf([...pos.slice(nPos), ...neg.slice(nNeg)]),
    };
  });
}
