import { deriveSeed } from '../../util/random.js';
import { fitLogistic } from '../updating/logistic.js';
import { feasibleFolds, splitFold, stratifiedFolds } from './folds.js';

/** A feature table without an intercept column: n rows of k features, row-major. */
export interface FeatureTable {
  readonly n: number;
  readonly k: number;
  readonly x: Float64Array;
}

/** A logistic regression on a feature table's own scale: logit = x·coef + intercept. */
export interface LinearLogit {
  readonly coef: Float64Array;
  readonly intercept: number;
}

/** A tuned L2 logistic regression: its coefficients, the penalty used, the inner-CV curve and how the penalty was chosen. */
export interface TunedLogistic extends LinearLogit {
  readonly lambda: number;
  /** Mean held-out deviance per row for each penalty of the grid; null when no CV was run. */
  readonly cv: readonly { readonly lambda: number; readonly deviance: number }[] | null;
  /** Inner folds used (0: none). */
  readonly folds: number;
  /** One line on how the penalty was chosen, or why the fit fell back. */
  readonly note: string;
}

/** Penalties tried by inner CV: 10^−3 … 10^3 in half-decades (λ multiplies ‖β‖² against the summed log-likelihood of standardised features). */
export const LAMBDA_GRID: readonly number[] = Array.from({ length: 13 }, (_, i) => 10 ** (-3 + i / 2));

/** The penalty used when the labels allow no inner CV (fewer than two rows of a class). */
export const FALLBACK_LAMBDA = 1;

/** The rows `idx` of a table. */
export function tableRows(t: FeatureTable, idx: readonly number[]): FeatureTable {
  const x = new Float64Array(idx.length * t.k);
  idx.forEach((row, r) => x.set(t.x.subarray(row * t.k, (row + 1) * t.k), r * t.k));
  return { n: idx.length, k: t.k, x };
}

/** Logits x·coef + intercept of every row. */
export function linearLogits(t: FeatureTable, m: LinearLogit): Float64Array {
  const out = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) {
    let s = m.intercept;
    for (let j = 0; j < t.k; j++) s += t.x[i * t.k + j] * m.coef[j];
    out[i] = s;
  }
  return out;
}

/**
 * Maximises ℓ(β, b) − λ‖β‖² with an unpenalised intercept b, on features standardised by this table's own
 * means and SDs (so one λ means the same for every column), and returns the coefficients on the table's scale.
 * Constant columns get coefficient 0.
 */
export function fitL2Logistic(t: FeatureTable, y: ArrayLike<number>, lambda: number): LinearLogit {
  const { n, k } = t;
  const mean = new Float64Array(k);
  const sd = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += t.x[i * k + j];
    mean[j] = s / Math.max(1, n);
    let v = 0;
    for (let i = 0; i < n; i++) v += (t.x[i * k + j] - mean[j]) ** 2;
    sd[j] = Math.sqrt(v / Math.max(1, n));
  }
  const x = new Float64Array(n * (k + 1));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) x[i * (k + 1) + j] = sd[j] > 1e-12 ? (t.x[i * k + j] - mean[j]) / sd[j] : 0;
    x[i * (k + 1) + k] = 1;
  }
  const penaltyWeights = new Float64Array(k + 1).fill(1);
  penaltyWeights[k] = 0;
  const fit = fitLogistic({ n, k: k + 1, x }, y, { lambda, penaltyWeights });
  const coef = new Float64Array(k);
  let intercept = fit.theta[k];
  for (let j = 0; j < k; j++) {
    if (sd[j] <= 1e-12) continue;
    coef[j] = fit.theta[j] / sd[j];
    intercept -= coef[j] * mean[j];
  }
  return { coef, intercept };
}

/** Mean deviance per row, −2·ℓ/n, of labels under logits. */
export function meanDeviance(logits: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    // log(1 + e^v) − y·v without overflow.
    s += (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v))) - y[i] * v;
  }
  return (2 * s) / Math.max(1, logits.length);
}

/** Out-of-fold logits of an L2 logistic regression at each penalty of the grid, on the given folds. */
function outOfFold(t: FeatureTable, y: ArrayLike<number>, fold: Int32Array, k: number, grid: readonly number[]): Float64Array[] {
  const oof = grid.map(() => new Float64Array(t.n));
  for (let f = 0; f < k; f++) {
    const { fit, held } = splitFold(fold, f);
    const fitRows = tableRows(t, fit);
    const heldRows = tableRows(t, held);
    const yFit = fit.map((i) => y[i]);
    grid.forEach((lambda, g) => {
      const z = linearLogits(heldRows, fitL2Logistic(fitRows, yFit, lambda));
      held.forEach((row, r) => (oof[g][row] = z[r]));
    });
  }
  return oof;
}

/**
 * An L2 logistic regression with its penalty chosen by stratified k-fold inner CV (lowest mean held-out
 * deviance; ties go to the larger penalty), then refitted on every row. Fewer than two rows of a class allow
 * no CV: the fit then uses FALLBACK_LAMBDA, and one class alone gives a constant model at the smoothed
 * prevalence; the note says which.
 */
export function tuneL2Logistic(t: FeatureTable, y: ArrayLike<number>, opts: { readonly k: number; readonly seed: number; readonly grid?: readonly number[] }): TunedLogistic {
  const grid = opts.grid ?? LAMBDA_GRID;
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i];
  if (pos === 0 || pos === t.n) {
    const intercept = Math.log((pos + 0.5) / (t.n - pos + 0.5));
    return { coef: new Float64Array(t.k), intercept, lambda: Infinity, cv: null, folds: 0, note: `one class only (${pos} positives of ${t.n}): constant model at the smoothed prevalence, no coefficients` };
  }
  const k = feasibleFolds(y, opts.k);
  if (k < 2) {
    const fit = fitL2Logistic(t, y, FALLBACK_LAMBDA);
    return { ...fit, lambda: FALLBACK_LAMBDA, cv: null, folds: 0, note: `too few rows for inner CV (${pos} positives of ${t.n}): fixed penalty λ = ${FALLBACK_LAMBDA}` };
  }
  const fold = stratifiedFolds(y, k, opts.seed);
  const cv = outOfFold(t, y, fold, k, grid).map((z, g) => ({ lambda: grid[g], deviance: meanDeviance(z, y) }));
  let best = 0;
  // >= walks to the last (largest) penalty among equals: the simpler model wins a tie.
  cv.forEach((c, g) => (c.deviance <= cv[best].deviance ? (best = g) : undefined));
  const lambda = grid[best];
  return { ...fitL2Logistic(t, y, lambda), lambda, cv, folds: k, note: `λ = ${lambda.toPrecision(3)} by ${k}-fold inner CV (held-out deviance ${cv[best].deviance.toFixed(4)} per row)` };
}

/** Out-of-fold logits of a tuned L2 logistic regression (the penalty re-tuned inside each fold), for nested CV. */
export function tunedOutOfFold(t: FeatureTable, y: ArrayLike<number>, fold: Int32Array, k: number, opts: { readonly k: number; readonly seed: number }): Float64Array {
  const out = new Float64Array(t.n);
  for (let f = 0; f < k; f++) {
    const { fit, held } = splitFold(fold, f);
    const model = tuneL2Logistic(tableRows(t, fit), fit.map((i) => y[i]), { k: opts.k, seed: deriveSeed(opts.seed, 'outer fold', String(f)) });
    const z = linearLogits(tableRows(t, held), model);
    held.forEach((row, r) => (out[row] = z[r]));
  }
  return out;
}
