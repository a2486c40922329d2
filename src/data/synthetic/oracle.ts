import { auroc } from '../../evaluate/metrics.js';
import { Rng } from '../../util/random.js';
import { drawLatents, logitParts, malignancyProbability, siteIntercept } from './latent.js';
import type { SyntheticSiteSpec } from './spec.js';

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

/** Draws n subjects of a site's population with labels, returning the logit parts and labels. */
export function drawOracleSample(site: SyntheticSiteSpec, n: number, seed: number | string): { parts: { image: number; record: number; size: number }[]; labels: number[] } {
  const rng = new Rng(`oracle:${seed}:${site.id}`);
  const intercept = siteIntercept(site);
  const parts = [];
  const labels = [];
  for (let i = 0; i < n; i++) {
    const p = logitParts(drawLatents(site, rng));
    parts.push(p);
    labels.push(rng.bernoulli(malignancyProbability(intercept, p.image + p.record + p.size)) ? 1 : 0);
  }
  return { parts, labels };
}

/** Oracle AUROCs of a site's population on a fresh draw of n subjects. */
export function oracleAurocs(site: SyntheticSiteSpec, n = 20000, seed: number | string = 1): OracleAurocs {
  const { parts, labels } = drawOracleSample(site, n, seed);
  const score = (f: (p: { image: number; record: number; size: number }) => number) => auroc(labels, parts.map(f));
  return {
    siteId: site.id,
    n,
    prevalence: labels.reduce((a, b) => a + b, 0) / n,
    image: score((p) => p.image),
    record: score((p) => p.record),
    size: score((p) => p.size),
    imageWithSize: score((p) => p.image + p.size),
    recordWithSize: score((p) => p.record + p.size),
    full: score((p) => p.image + p.record + p.size),
  };
}
