import type { ExperimentConfig } from '../config/experiment.js';
import { assertDisjointSubjects, stratifiedSiteSplit, takeLabelBudget } from '../data/splits.js';
import type { Cohort, Sample } from '../data/types.js';
import type { TransferData } from '../transfer/types.js';

/** Every partition of an experiment: what strategies may use, and the target test set they may not. */
export interface ExperimentPartitions {
  readonly transfer: TransferData;
  readonly sourceTest: readonly Sample[];
  readonly targetTest: readonly Sample[];
  readonly sources: readonly string[];
  readonly target: string;
}

/** Splits sources (train/val/test) and target (label budget, unlabelled pool, test) at patient level. */
export function partitionCohort(cohort: Cohort, cfg: ExperimentConfig): ExperimentPartitions {
  const siteIds = cohort.sites.map((s) => s.id);
  if (!siteIds.includes(cfg.target)) throw new Error(`target site '${cfg.target}' is not in the cohort; sites: ${siteIds.join(', ')}`);
  const sources = cfg.sources ?? siteIds.filter((s) => s !== cfg.target);
  for (const s of sources) {
    if (!siteIds.includes(s)) throw new Error(`source site '${s}' is not in the cohort; sites: ${siteIds.join(', ')}`);
    if (s === cfg.target) throw new Error(`site '${s}' is both a source and the target`);
  }
  if (sources.length === 0) throw new Error('no source sites: the cohort has only the target site');
  const sourceSet = new Set(sources);
  const src = stratifiedSiteSplit(cohort.samples.filter((s) => sourceSet.has(s.siteId)), cfg.split.source, cfg.seed);
  const tgtFrac = { train: 1 - cfg.split.targetTest, val: 0, test: cfg.split.targetTest };
  const tgt = stratifiedSiteSplit(cohort.samples.filter((s) => s.siteId === cfg.target), tgtFrac, cfg.seed + 1);
  assertDisjointSubjects(src);
  assertDisjointSubjects(tgt);
  const { labelled, unlabelled } = takeLabelBudget(tgt.train, cfg.split.targetBudget, cfg.seed + 2);
  const nVal = Math.round(labelled.length * cfg.split.targetValFraction);
  // Split the budget by class too, so a small validation set still holds both classes.
  const byVal = takeLabelBudget(labelled, labelled.length - nVal, cfg.seed + 3);
  return {
    transfer: {
      sourceTrain: src.train,
      sourceVal: src.val,
      targetTrain: byVal.labelled,
      targetVal: byVal.unlabelled,
      targetUnlabelled: unlabelled,
    },
    sourceTest: src.test,
    targetTest: tgt.test,
    sources,
    target: cfg.target,
  };
}
