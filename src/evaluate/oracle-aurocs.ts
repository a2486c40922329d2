// The synthetic generator's ceiling: AUROCs of its true logit, per group of latents. Lives in
// evaluate because data/ may not import the metrics.
import { oracleScores, transportedOracleScores } from '../data/synthetic/oracle.js';
import type { SyntheticSiteSpec } from '../data/synthetic/spec.js';
import { stratifiedBootstrapCI } from './bootstrap.js';
import { auroc } from './metrics.js';

/** AUROCs of the true logit restricted to groups of latents, on one large draw of a site's population. */
export interface OracleAurocs {
  readonly siteId: string;
  readonly n: number;
  readonly prevalence: number;
  /** Margin and texture only (what only the image shows). */
  readonly image: number;
  /** Age, pack-years, family history, CEA, emphysema (what only the record shows). */
  readonly record: number;
  /** True size only. */
  readonly size: number;
  readonly imageWithSize: number;
  readonly recordWithSize: number;
  /** The full logit: the best any model can do. */
  readonly full: number;
}

/** Oracle AUROCs of a site's population on a fresh draw of n subjects. */
export function oracleAurocs(site: SyntheticSiteSpec, n = 20000, seed: number | string = 1): OracleAurocs {
  const { labels, scores } = oracleScores(site, n, seed);
  return {
    siteId: site.id,
    n,
    prevalence: labels.reduce((a, b) => a + b, 0) / n,
    image: auroc(labels, scores.image),
    record: auroc(labels, scores.record),
    size: auroc(labels, scores.size),
    imageWithSize: auroc(labels, scores.imageWithSize),
    recordWithSize: auroc(labels, scores.recordWithSize),
    full: auroc(labels, scores.full),
  };
}

/** The AUROC on a site's population of its own true risk function and of each other site's (the concept shift's cost to a perfect source model). */
export interface TransportedOracleAurocs {
  readonly siteId: string;
  readonly n: number;
  /** The site's own true risk function: its ceiling. */
  readonly own: number;
  /** Each scoring site's true risk function applied to this site's subjects. */
  readonly bySite: readonly { readonly siteId: string; readonly auroc: number }[];
}

/** Oracle AUROCs of a site's own and other sites' true risk functions on one fresh draw of n of its subjects. */
export function transportedOracleAurocs(site: SyntheticSiteSpec, scoredBy: readonly SyntheticSiteSpec[], n = 20000, seed: number | string = 1): TransportedOracleAurocs {
  const t = transportedOracleScores(site, scoredBy, n, seed);
  return { siteId: site.id, n, own: auroc(t.labels, t.own), bySite: t.bySite.map((b) => ({ siteId: b.siteId, auroc: auroc(t.labels, b.scores) })) };
}

/** The synthetic generator's ceiling on one realised test set: the AUROC of the true risk, and of each source site's true risk function. */
export interface OracleCeiling {
  /** AUROC of the target's own true risk (the label model's logit) on the test subjects: what no model can expect to beat. */
  readonly auroc: number;
  readonly ci: readonly [number, number];
  readonly n: number;
  /** Each source site's true risk function on the same subjects: a perfect model of that site; below `auroc` only under concept shift. */
  readonly sourceRisk: readonly { readonly site: string; readonly auroc: number }[];
}

/** The oracle ceiling of a test set from its labels, its true logits and each source site's true logits (same subjects, same order). */
export function oracleCeiling(
  labels: ArrayLike<number>,
  ownRisk: ArrayLike<number>,
  sourceRisk: readonly { readonly site: string; readonly scores: ArrayLike<number> }[],
  opts: { readonly resamples: number; readonly seed: number; readonly level?: number },
): OracleCeiling {
  for (const r of [{ site: 'own', scores: ownRisk }, ...sourceRisk]) {
    if (r.scores.length !== labels.length) throw new Error(`oracle ceiling: ${r.scores.length} true-risk scores (${r.site}) for ${labels.length} labels`);
  }
  const ci = stratifiedBootstrapCI(labels, ownRisk, auroc, { resamples: opts.resamples, level: opts.level ?? 0.95, seed: opts.seed });
  return {
    auroc: auroc(labels, ownRisk),
    ci: [ci.lo, ci.hi],
    n: labels.length,
    sourceRisk: sourceRisk.map((r) => ({ site: r.site, auroc: auroc(labels, r.scores) })),
  };
}
