import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import { bernoulliLogLik, fitLogistic, type LogisticFit } from './logistic.js';

/** The labelled target rows seen by a model's logit layer: penultimate features, labels, and that layer's weights. */
export interface HeadData {
  /** Rows. */
  readonly n: number;
  /** Width of the penultimate features (the logit layer's inputs). */
  readonly p: number;
  /** Row-major [n, p] penultimate features. */
  readonly h: Float64Array;
  /** 0/1 labels, one per row. */
  readonly y: Float64Array;
  /** The logit layer's kernel, length p. */
  readonly w: Float64Array;
  /** The logit layer's bias. */
  readonly b: number;
}

/** Weights of a logit layer: kernel w (length p) and bias b. */
export interface LogitWeights {
  readonly w: Float64Array;
  readonly b: number;
}

/** The model updates of clinical prediction (Steyerberg ch. 20), from none to a full revision of the logit layer. */
export type UpdateKind = 'none' | 'intercept' | 'logistic' | 'revision';

/** One fitted update: the new logit-layer weights and the target log-likelihood they reach. */
export interface FittedUpdate {
  readonly kind: UpdateKind;
  readonly weights: LogitWeights;
  /** Log-likelihood of the labelled target rows under the updated model (unpenalised). */
  readonly logLik: number;
  /** Parameters estimated on the target (0 for none, 1, 2, p + 1). */
  readonly df: number;
  /** What was estimated, for reports: the intercept shift a, the slope s, the penalty λ. */
  readonly detail: Readonly<Record<string, number>>;
}

/** The source model's logits z = h·w + b of every row. */
export function sourceLogits(d: HeadData): Float64Array {
  const z = new Float64Array(d.n);
  for (let i = 0; i < d.n; i++) {
    let s = d.b;
    for (let j = 0; j < d.p; j++) s += d.h[i * d.p + j] * d.w[j];
    z[i] = s;
  }
  return z;
}

/** No update: the source logit layer as is, with its target log-likelihood. */
export function noUpdate(d: HeadData): FittedUpdate {
  return { kind: 'none', weights: { w: Float64Array.from(d.w), b: d.b }, logLik: bernoulliLogLik(sourceLogits(d), d.y), df: 0, detail: {} };
}

/** Recalibration in the large: logit' = z + a, a by maximum likelihood with z as offset; the bias moves by a. */
export function interceptUpdate(d: HeadData): FittedUpdate {
  const z = sourceLogits(d);
  const fit = fitLogistic({ n: d.n, k: 1, x: new Float64Array(d.n).fill(1), offset: z }, d.y);
  const a = fit.theta[0];
  return { kind: 'intercept', weights: { w: Float64Array.from(d.w), b: d.b + a }, logLik: fit.logLik, df: 1, detail: { a } };
}

/** Logistic recalibration: logit' = a + s·z, so w' = s·w and b' = a + s·b. */
export function logisticUpdate(d: HeadData): FittedUpdate {
  const z = sourceLogits(d);
  const x = new Float64Array(d.n * 2);
  for (let i = 0; i < d.n; i++) {
    x[i * 2] = 1;
    x[i * 2 + 1] = z[i];
  }
  // Starting at the identity (a = 0, s = 1) keeps the fit near the source when the data say little.
  const fit = fitLogistic({ n: d.n, k: 2, x }, d.y, { start: Float64Array.of(0, 1) });
  const [a, s] = fit.theta;
  return { kind: 'logistic', weights: { w: d.w.map((v) => s * v), b: a + s * d.b }, logLik: fit.logLik, df: 2, detail: { a, s } };
}

/** Model revision: the logit layer (w, b) refitted on the frozen features, maximising ℓ − λ‖(w, b) − (w_src, b_src)‖². */
export function revisionUpdate(d: HeadData, lambda: number): FittedUpdate {
  const k = d.p + 1;
  const x = new Float64Array(d.n * k);
  for (let i = 0; i < d.n; i++) {
    for (let j = 0; j < d.p; j++) x[i * k + j] = d.h[i * d.p + j];
    x[i * k + d.p] = 1;
  }
  const anchor = new Float64Array(k);
  anchor.set(d.w);
  anchor[d.p] = d.b;
  const fit: LogisticFit = fitLogistic({ n: d.n, k, x }, d.y, { lambda, anchor });
  return { kind: 'revision', weights: { w: fit.theta.slice(0, d.p), b: fit.theta[d.p] }, logLik: fit.logLik, df: k, detail: { lambda } };
}

/** One likelihood-ratio test of the closed testing procedure: revision against a smaller update. */
export interface LrTest {
  readonly against: Exclude<UpdateKind, 'revision'>;
  /** 2·(ℓ_revision − ℓ_against), floored at 0. */
  readonly statistic: number;
  readonly df: number;
  /** Upper-tail chi-squared p-value. */
  readonly p: number;
}

/** What the closed testing procedure chose, the tests it ran (in order) and every candidate update. */
export interface ClosedTestResult {
  readonly chosen: FittedUpdate;
  readonly tests: readonly LrTest[];
  readonly candidates: Readonly<Record<UpdateKind, FittedUpdate>>;
}

/**
 * Vergouwe et al. (2017) closed testing: revision against the original (df p + 1); if not significant at α keep
 * the original; else revision against the intercept update (df p); if not, intercept; else revision against
 * logistic recalibration (df p − 1); if not, logistic; else revision. With λ > 0 the revision's likelihood is a
 * penalised fit's, at most the maximum, so the tests lean toward the smaller updates.
 */
export function closedTest(d: HeadData, opts: { readonly alpha: number; readonly lambda: number }): ClosedTestResult {
  const candidates = { none: noUpdate(d), intercept: interceptUpdate(d), logistic: logisticUpdate(d), revision: revisionUpdate(d, opts.lambda) };
  const tests: LrTest[] = [];
  for (const against of ['none', 'intercept', 'logistic'] as const) {
    const df = candidates.revision.df - candidates[against].df;
    const statistic = Math.max(0, 2 * (candidates.revision.logLik - candidates[against].logLik));
    const p = df > 0 ? 1 - chisquareCdf(statistic, df) : 1;
    tests.push({ against, statistic, df, p });
    if (p >= opts.alpha) return { chosen: candidates[against], tests, candidates };
  }
  return { chosen: candidates.revision, tests, candidates };
}
