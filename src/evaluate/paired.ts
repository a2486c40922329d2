import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { stratifiedBootstrapMany } from './bootstrap.js';
import { delongTest } from './delong.js';
import { auroc } from './metrics.js';

/** ΔAUROC of two models scored on the same subjects: the paired bootstrap CI and DeLong's p. */
export interface PairedAurocDifference {
  /** AUROC of model a minus AUROC of model b. */
  readonly difference: number;
  /** Percentile CI of the difference over stratified resamples, the same resampled subjects for both models. */
  readonly ci: readonly [number, number];
  /** DeLong's two-sided p for the difference; NaN when the test is undefined (e.g. identical scores). */
  readonly p: number;
  readonly n: number;
}

/** Settings of a paired bootstrap. */
export interface PairedBootstrapOptions {
  readonly resamples: number;
  readonly seed: number;
  /** Two-sided confidence level; 0.95 when absent. */
  readonly level?: number;
}

/**
 * AUROC(a) − AUROC(b) on one test set, with a stratified percentile bootstrap CI in which each
 * resample draws one set of subjects and scores both models on it (so the interval is of the
 * paired difference, not of two independent AUROCs), and DeLong's p. Throws when the score arrays
 * do not match the labels.
 */
export function pairedAurocDifference(labels: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>, opts: PairedBootstrapOptions): PairedAurocDifference {
  if (a.length !== labels.length || b.length !== labels.length) {
    throw new Error(`paired ΔAUROC needs both models scored on the same ${labels.length} subjects, got ${a.length} and ${b.length} scores`);
  }
  const y = Float64Array.from(labels);
  const sa = Float64Array.from(a);
  const sb = Float64Array.from(b);
  const ry = new Float64Array(y.length);
  const ra = new Float64Array(y.length);
  const rb = new Float64Array(y.length);
  const [ci] = stratifiedBootstrapMany(
    y,
    (idx) => {
      for (let i = 0; i < idx.length; i++) {
        ry[i] = y[idx[i]];
        ra[i] = sa[idx[i]];
        rb[i] = sb[idx[i]];
      }
      return [auroc(ry, ra) - auroc(ry, rb)];
    },
    { resamples: opts.resamples, level: opts.level ?? 0.95, seed: opts.seed },
  );
  let p = Number.NaN;
  try {
    p = delongTest(y, sa, sb).p;
  } catch {
    // Degenerate pairs (one class, identical scores) have no DeLong variance; the bootstrap CI still stands.
  }
  return { difference: auroc(y, sa) - auroc(y, sb), ci: [ci.lo, ci.hi], p, n: y.length };
}

/** Mean of paired per-fold (or per-seed) differences with its Student-t interval. */
export interface PairedMeanDifference {
  readonly mean: number;
  /** Student-t CI of the mean; [NaN, NaN] with fewer than 2 differences. */
  readonly ci: readonly [number, number];
  readonly sd: number;
  readonly n: number;
}

/**
 * The mean of paired differences (one per fold or seed, both methods run on the same fold) with a
 * two-sided Student-t interval on n − 1 degrees of freedom. Non-finite differences are an error
 * naming their position, since dropping one would silently unpair the rest.
 */
export function pairedTInterval(differences: readonly number[], level = 0.95): PairedMeanDifference {
  const bad = differences.findIndex((d) => !Number.isFinite(d));
  if (bad >= 0) throw new Error(`paired t-interval: difference ${bad + 1} of ${differences.length} is ${differences[bad]}, not a finite number`);
  const n = differences.length;
  if (n === 0) throw new Error('paired t-interval needs at least one difference');
  const mean = differences.reduce((s, d) => s + d, 0) / n;
  if (n < 2) return { mean, ci: [Number.NaN, Number.NaN], sd: Number.NaN, n };
  const sd = Math.sqrt(differences.reduce((s, d) => s + (d - mean) ** 2, 0) / (n - 1));
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { mean, ci: [mean - half, mean + half], sd, n };
}
