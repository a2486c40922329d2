import { Rng } from '../../util/random.js';
import { drawLatents, latentLogit, logitParts, malignancyProbability, siteCoefficients, siteIntercept, type LogitParts, type SubjectLatents } from './latent.js';
import type { SyntheticSiteSpec } from './spec.js';

/** The true logit restricted to groups of latents, scored on one large draw of a site's population, with the labels drawn from the full model. */
export interface OracleScores {
  readonly siteId: string;
  readonly labels: readonly number[];
  /** Score per subject for each group of latents. */
  readonly scores: {
    /** Margin and texture only (what only the image shows). */
    readonly image: readonly number[];
    /** Age, pack-years, family history, CEA, emphysema (what only the record shows). */
    readonly record: readonly number[];
    /** True size only. */
    readonly size: readonly number[];
    readonly imageWithSize: readonly number[];
    readonly recordWithSize: readonly number[];
    /** The full logit: the best any model can do. */
    readonly full: readonly number[];
  };
}

/** Draws n subjects of a site's population with labels from the site's own label model, returning latents, logit parts and labels. */
export function drawOracleSample(site: SyntheticSiteSpec, n: number, seed: number | string): { latents: SubjectLatents[]; parts: LogitParts[]; labels: number[] } {
  const rng = new Rng(`oracle:${seed}:${site.id}`);
  const intercept = siteIntercept(site);
  const coefficients = siteCoefficients(site);
  const latents = [];
  const parts = [];
  const labels = [];
  for (let i = 0; i < n; i++) {
    const l = drawLatents(site, rng);
    const p = logitParts(l, coefficients);
    latents.push(l);
    parts.push(p);
    labels.push(rng.bernoulli(malignancyProbability(intercept, p.image + p.record + p.size)) ? 1 : 0);
  }
  return { latents, parts, labels };
}

/** Oracle scores of a site's population on a fresh draw of n subjects (evaluate's oracleAurocs turns them into AUROCs). */
export function oracleScores(site: SyntheticSiteSpec, n = 20000, seed: number | string = 1): OracleScores {
  const { parts, labels } = drawOracleSample(site, n, seed);
  return {
    siteId: site.id,
    labels,
    scores: {
      image: parts.map((p) => p.image),
      record: parts.map((p) => p.record),
      size: parts.map((p) => p.size),
      imageWithSize: parts.map((p) => p.image + p.size),
      recordWithSize: parts.map((p) => p.record + p.size),
      full: parts.map((p) => p.image + p.record + p.size),
    },
  };
}

/**
 * A site's population (labels from its own label model) scored by each given site's true risk
 * function: how well a perfect model of another site ranks this site's subjects. Where the scoring
 * site's coefficients differ from this site's (concept shift), even that perfect model loses AUROC here.
 */
export function transportedOracleScores(
  site: SyntheticSiteSpec,
  scoredBy: readonly SyntheticSiteSpec[],
  n = 20000,
  seed: number | string = 1,
): { readonly siteId: string; readonly labels: readonly number[]; readonly own: readonly number[]; readonly bySite: readonly { readonly siteId: string; readonly scores: readonly number[] }[] } {
  const { latents, parts, labels } = drawOracleSample(site, n, seed);
  return {
    siteId: site.id,
    labels,
    own: parts.map((p) => p.image + p.record + p.size),
    bySite: scoredBy.map((other) => {
      const c = siteCoefficients(other);
      return { siteId: other.id, scores: latents.map((l) => latentLogit(l, c)) };
    }),
  };
}
