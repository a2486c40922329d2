import { Rng } from '../util/random.js';
import { auroc } from './metrics.js';

/** A statistic computed from labels and scores, e.g. AUROC. */
export type ScoreStatistic = (labels: Float64Array, scores: Float64Array) => number;

/** Options for a stratified bootstrap confidence interval. */
export interface BootstrapOptions {
  /** Number of resamples. */
  readonly resamples: number;
  /** Two-sided confidence level, e.g. 0.95. */
  readonly level: number;
  readonly seed: number;
}

/** Percentile confidence interval with the number of resamples where the statistic was defined. */
export interface ConfidenceInterval {
  readonly lo: number;
  readonly hi: number;
  readonly validResamples: number;
}

/**
 * Percentile bootstrap CI that resamples positives and negatives separately, so every resample
 * keeps the test set's class balance and AUROC stays defined.
 */
export function stratifiedBootstrapCI(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  statistic: ScoreStatistic,
  opts: BootstrapOptions,
): ConfidenceInterval {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? pos : neg).push(i);
  const n = labels.length;
  const rng = new Rng(opts.seed);
  if (statistic === auroc && pos.length > 0 && neg.length > 0 && !Array.prototype.some.call(scores, Number.isNaN)) {
    return percentileCI(aurocResamples(pos, neg, scores, rng, opts.resamples), opts.level);
  }
  const ys = new Float64Array(n);
  const ss = new Float64Array(n);
  const values: number[] = [];
  for (let b = 0; b < opts.resamples; b++) {
    let k = 0;
    for (const group of [pos, neg]) {
      for (let i = 0; i < group.length; i++) {
        const idx = group[rng.int(group.length)];
        ys[k] = labels[idx];
        ss[k] = scores[idx];
        k++;
      }
    }
    const v = statistic(ys, ss);
    if (Number.isFinite(v)) values.push(v);
  }
  return percentileCI(values, opts.level);
}

function percentileCI(values: number[], level: number): ConfidenceInterval {
  if (values.length === 0) return { lo: Number.NaN, hi: Number.NaN, validResamples: 0 };
  values.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return { lo: quantile(values, alpha), hi: quantile(values, 1 - alpha), validResamples: values.length };
}

/**
 * AUROC of each stratified resample, from how often each case was drawn: positives and negatives
 * are sorted by score once, and each resample is one merge pass over them weighted by the draws,
 * in place of copying and sorting the resample. The draws are the generic path's, and the
 * Mann-Whitney sum adds the same multiples of ½ (exact in a double), so every value is the same.
 */
function aurocResamples(pos: number[], neg: number[], scores: ArrayLike<number>, rng: Rng, resamples: number): number[] {
  const byScore = (a: number, b: number) => scores[a] - scores[b];
  const posSorted = Int32Array.from(pos).sort(byScore);
  const negSorted = Int32Array.from(neg).sort(byScore);
  const count = new Float64Array(scores.length);
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    count.fill(0);
    for (const group of [pos, neg]) for (let i = 0; i < group.length; i++) count[group[rng.int(group.length)]]++;
    let u = 0;
    // Negatives strictly below the current score (lt, weight ltW) and at or below it (le, leW).
    let lt = 0;
    let le = 0;
    let ltW = 0;
    let leW = 0;
    for (let i = 0; i < posSorted.length; i++) {
      const c = count[posSorted[i]];
      if (c === 0) continue;
      const s = scores[posSorted[i]];
      while (lt < negSorted.length && scores[negSorted[lt]] < s) ltW += count[negSorted[lt++]];
      if (le < lt) {
        le = lt;
        leW = ltW;
      }
      while (le < negSorted.length && scores[negSorted[le]] === s) leW += count[negSorted[le++]];
      u += c * (ltW + (leW - ltW) / 2);
    }
    values.push(u / (pos.length * neg.length));
  }
  return values;
}

/** Linear-interpolated quantile of an ascending-sorted array (numpy's default method). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Stratified percentile bootstrap of several statistics at once: each resample draws, within each
 * stratum (distinct value of `strata`, in descending order, so binary labels draw positives first
 * as `stratifiedBootstrapCI` does), as many indices as the stratum holds, and `statistics` maps the
 * resample's indices to one value per statistic. Resamples where a statistic is not finite are left
 * out of that statistic's interval.
 */
export function stratifiedBootstrapMany(
  strata: ArrayLike<number>,
  statistics: (indices: Int32Array) => readonly number[],
  opts: BootstrapOptions,
): ConfidenceInterval[] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < strata.length; i++) {
    const g = groups.get(strata[i]);
    if (g) g.push(i);
    else groups.set(strata[i], [i]);
  }
  const ordered = [...groups.entries()].sort((a, b) => b[0] - a[0]).map((e) => e[1]);
  const rng = new Rng(opts.seed);
  const idx = new Int32Array(strata.length);
  let values: number[][] = [];
  for (let b = 0; b < opts.resamples; b++) {
    let k = 0;
    for (const group of ordered) for (let i = 0; i < group.length; i++) idx[k++] = group[rng.int(group.length)];
    const v = statistics(idx);
    if (b === 0) values = v.map(() => []);
    v.forEach((x, j) => {
      if (Number.isFinite(x)) values[j].push(x);
    });
  }
  const alpha = (1 - opts.level) / 2;
  return values.map((vs) => {
    if (vs.length === 0) return { lo: Number.NaN, hi: Number.NaN, validResamples: 0 };
    vs.sort((a, b) => a - b);
    return { lo: quantile(vs, alpha), hi: quantile(vs, 1 - alpha), validResamples: vs.length };
  });
}
