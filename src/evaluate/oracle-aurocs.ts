// The synthetic generator's ceiling: AUROCs of its true logit, per group of latents. Lives in
// evaluate because data/ may not import the metrics.
import { oracleScores } from '../data/synthetic/oracle.js';
import type { SyntheticSiteSpec } from '../data/synthetic/spec.js';
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
