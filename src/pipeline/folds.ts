import type { ExperimentConfig } from '../config/experiment.js';
import type { Cohort } from '../data/types.js';
import { groupedStratifiedKFold } from '../evaluate/protocols/grouped-kfold.js';
import { leaveOneSiteOut } from '../evaluate/protocols/leave-one-site-out.js';
import { deriveSeed } from '../util/random.js';
import { partitionFold, type ExperimentPartitions } from './partition.js';
import { foldDraws, type FoldDraws } from './seeds.js';

/** One planned fold: its name, target and sources, seeds and partitions. */
export interface FoldPlan {
  readonly id: string;
  readonly target: string;
  readonly sources: readonly string[];
  readonly draws: FoldDraws;
  readonly parts: ExperimentPartitions;
}

/**
 * Plans the folds of the experiment's protocol against the cohort, partitioning each before any
 * training so a protocol the cohort cannot support (an unknown target, too few subjects for k folds
 * or the label budget) fails in seconds, naming the fold.
 */
export function planFolds(cohort: Cohort, cfg: ExperimentConfig): FoldPlan[] {
  const p = cfg.protocol;
  const sites = cohort.sites.map((s) => s.id);
  const sourcesFor = (target: string): string[] => cfg.sources ?? sites.filter((s) => s !== target);
  const fraction = { kind: 'fraction', fraction: cfg.split.targetTest } as const;
  const plan = (id: string, target: string, sources: readonly string[], draws: FoldDraws, test: Parameters<typeof partitionFold>[5]): FoldPlan => {
    try {
      return { id, target, sources, draws, parts: partitionFold(cohort, cfg, target, sources, draws, test) };
    } catch (e) {
      throw new Error(`protocol ${p.kind}, fold '${id}': ${(e as Error).message}`, { cause: e });
    }
  };
  switch (p.kind) {
    case 'holdout':
      return [plan('holdout', cfg.target, sourcesFor(cfg.target), foldDraws(cfg.seed), fraction)];
    case 'leave_one_site_out': {
      for (const t of p.targets ?? []) if (!sites.includes(t)) throw new Error(`protocol.targets: '${t}' is not a site of the cohort; sites: ${sites.join(', ')}`);
      const targets = new Set(p.targets ?? sites);
      // Each fold uses the run's root seed, so the fold for a target draws exactly what a hold-out run with that target draws.
      return leaveOneSiteOut(cohort.samples)
        .filter((f) => targets.has(f.target))
        .map((f) => plan(f.target, f.target, f.sources, foldDraws(cfg.seed), fraction));
    }
    case 'grouped_kfold': {
      const targetSamples = cohort.samples.filter((s) => s.siteId === cfg.target);
      if (targetSamples.length === 0) throw new Error(`target site '${cfg.target}' is not in the cohort; sites: ${sites.join(', ')}`);
      let folds;
      try {
        folds = groupedStratifiedKFold(targetSamples, p.k, deriveSeed(cfg.seed, 'protocol', 'grouped_kfold'));
      } catch (e) {
        throw new Error(`protocol grouped_kfold on target '${cfg.target}': ${(e as Error).message}`, { cause: e });
      }
      // Sources split and pretrain with the root's seeds in every fold (so they pretrain once); each fold draws its own budget.
      const base = foldDraws(cfg.seed);
      return folds.map((f) => {
        const own = foldDraws(deriveSeed(cfg.seed, 'fold', String(f.index + 1)));
        const draws = { ...own, sourceSplit: base.sourceSplit, pretrain: base.pretrain };
        return plan(`fold-${f.index + 1}`, cfg.target, sourcesFor(cfg.target), draws, { kind: 'given', test: f.test });
      });
    }
    case 'repeated': {
      const seeds = p.seeds ?? Array.from({ length: p.repeats }, (_, i) => deriveSeed(cfg.seed, 'repeat', String(i + 1)));
      return seeds.map((s) => plan(`seed-${s}`, cfg.target, sourcesFor(cfg.target), foldDraws(s), fraction));
    }
  }
}
