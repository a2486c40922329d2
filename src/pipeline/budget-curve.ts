import { takeLabelBudget } from '../data/splits.js';
import type { Sample } from '../data/types.js';
import { labelBudgetCurve } from '../evaluate/protocols/label-budget-curve.js';
import type { TransferData } from '../transfer/types.js';

/** The target partitions of one budget: the same sources, a smaller or larger labelled target set. */
export interface BudgetData {
  readonly budget: number;
  readonly data: TransferData;
}

/**
 * Re-partitions the run's labelled and unlabelled target training subjects for each budget:
 * nested, label-stratified subsets (`labelBudgetCurve`), each split into fit and early-stopping
 * subjects with the run's validation fraction. The target test set is untouched. Throws naming the
 * budget when it exceeds the target training subjects.
 */
export function budgetCurveData(transfer: TransferData, budgets: readonly number[], valFraction: number, seeds: { readonly subsets: number; readonly validation: number }): BudgetData[] {
  const pool: Sample[] = [...transfer.targetTrain, ...transfer.targetVal, ...transfer.targetUnlabelled];
  const points = labelBudgetCurve(pool, budgets.map((count) => ({ count })), seeds.subsets);
  return points.map((p) => {
    const nVal = Math.round(p.labelled.length * valFraction);
    const split = takeLabelBudget(p.labelled, p.labelled.length - nVal, seeds.validation);
    return {
      budget: p.size,
      data: { ...transfer, targetTrain: split.labelled, targetVal: split.unlabelled, targetUnlabelled: p.unlabelled },
    };
  });
}
