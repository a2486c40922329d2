import type { ExperimentConfig } from '../config/experiment.js';
import { assertDisjointSubjects, stratifiedSiteSplit, takeLabelBudget } from '../data/splits.js';
import type { Cohort, Sample } from '../data/types.js';
import type { TransferData } from '../transfer/types.js';
import type { FoldDraws } from './seeds.js';

/** Every partition of one fold: what strategies may use, and the target test set they may not. */
export interface ExperimentPartitions {
  readonly transfer: TransferData;
  readonly sourceTest: readonly Sample[];
  readonly targetTest: readonly Sample[];
  readonly sources: readonly string[];
  readonly target: string;
}

/** Where a fold's target test set comes from: a stratified share of the target, or a given set (a k-fold test fold). */
export type TargetTest = { readonly kind: 'fraction'; readonly fraction: number } | { readonly kind: 'given'; readonly test: readonly Sample[] };

/**
 * Splits sources (train/val/test) and target (label budget, unlabelled pool, test) at patient level
 * for one fold. Throws naming the site when the target or a source is not in the cohort.
 */
export function partitionFold(cohort: Cohort, cfg: ExperimentConfig, target: string, sources: readonly string[], draws: FoldDraws, targetTest: TargetTest): ExperimentPartitions {
  const siteIds = cohort.sites.map((s) => s.id);
  if (!siteIds.includes(target)) throw new Error(`target site '${target}' is not in the cohort; sites: ${siteIds.join(', ')}`);
  for (const s of sources) {
    if (!siteIds.includes(s)) throw new Error(`source site '${s}' is not in the cohort; sites: ${siteIds.join(', ')}`);
    if (s === target) throw new Error(`site '${s}' is both a source and the target`);
  }
  if (sources.length === 0) throw new Error(`no source sites for target '${target}': the cohort has only the target site`);
  const sourceSet = new Set(sources);
  const src = stratifiedSiteSplit(cohort.samples.filter((s) => sourceSet.has(s.siteId)), cfg.split.source, draws.sourceSplit);
  assertDisjointSubjects(src);
  const targetSamples = cohort.samples.filter((s) => s.siteId === target);
  let pool: readonly Sample[];
  let test: readonly Sample[];
  if (targetTest.kind === 'fraction') {
    const tgt = stratifiedSiteSplit(targetSamples, { train: 1 - targetTest.fraction, val: 0, test: targetTest.fraction }, draws.targetSplit);
    assertDisjointSubjects(tgt);
    pool = tgt.train;
    test = tgt.test;
  } else {
    const held = new Set(targetTest.test);
    pool = targetSamples.filter((s) => !held.has(s));
    test = targetTest.test;
  }
  const { labelled, unlabelled } = takeLabelBudget(pool, cfg.split.targetBudget, draws.budget);
  const nVal = Math.round(labelled.length * cfg.split.targetValFraction);
  // Split the budget by class too, so a small validation set still holds both classes.
  const byVal = takeLabelBudget(labelled, labelled.length - nVal, draws.budgetValidation);
  return {
    transfer: {
      sourceTrain: src.train,
      sourceVal: src.val,
      targetTrain: byVal.labelled,
      targetVal: byVal.unlabelled,
      targetUnlabelled: unlabelled,
    },
    sourceTest: src.test,
    targetTest: test,
    sources,
    target,
  };
}
