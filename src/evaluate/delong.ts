import { twoSidedNormalP } from './normal.js';

/** DeLong's test of two correlated AUROCs on the same samples. */
export interface DeLongResult {
  readonly aurocA: number;
  readonly aurocB: number;
  /** aurocA - aurocB. */
  readonly difference: number;
  /** DeLong variance of the difference, and its square root. */
  readonly variance: number;
  readonly se: number;
  readonly z: number;
  /** Two-sided p-value under the normal approximation. */
  readonly p: number;
}

// Mid-ranks (1-based) of a vector: tied values share the mean of the ranks they span.
function midranks(x: Float64Array): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]] === x[order[i]]) j++;
    const mid = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]] = mid;
    i = j + 1;
  }
  return r;
}

// Placement values of one score vector: V10 over positives, V01 over negatives (Sun & Xu 2014).
function placements(pos: Float64Array, neg: Float64Array): { auc: number; v10: Float64Array; v01: Float64Array } {
  const m = pos.length;
  const n = neg.length;
  const all = new Float64Array(m + n);
  all.set(pos);
  all.set(neg, m);
  const tz = midranks(all);
  const tx = midranks(pos);
  const ty = midranks(neg);
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < m; i++) {
    v10[i] = (tz[i] - tx[i]) / n;
    sum += v10[i];
  }
  for (let j = 0; j < n; j++) v01[j] = 1 - (tz[m + j] - ty[j]) / m;
  return { auc: sum / m, v10, v01 };
}

// Sample covariance (denominator k - 1) of two equal-length vectors.
function cov(a: Float64Array, b: Float64Array): number {
  const k = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < k; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= k;
  mb /= k;
  let s = 0;
  for (let i = 0; i < k; i++) s += (a[i] - ma) * (b[i] - mb);
  return s / (k - 1);
}

/**
 * DeLong's test for AUROC(scoresA) - AUROC(scoresB) on the same labelled samples, with the
 * O(n log n) mid-rank algorithm of Sun & Xu (2014). Needs at least two positives and two negatives
 * (the covariances divide by count - 1); throws otherwise.
 */
export function delongTest(labels: ArrayLike<number>, scoresA: ArrayLike<number>, scoresB: ArrayLike<number>): DeLongResult {
  const n = labels.length;
  if (scoresA.length !== n || scoresB.length !== n) throw new Error(`delongTest: ${n} labels but ${scoresA.length} and ${scoresB.length} scores`);
  const split = (s: ArrayLike<number>) => {
    const p: number[] = [];
    const q: number[] = [];
    for (let i = 0; i < n; i++) (labels[i] === 1 ? p : q).push(s[i]);
    return { pos: Float64Array.from(p), neg: Float64Array.from(q) };
  };
  const a = split(scoresA);
  const b = split(scoresB);
  const m = a.pos.length;
  const k = a.neg.length;
  if (m < 2 || k < 2) throw new Error(`delongTest: needs at least 2 positives and 2 negatives, got ${m} and ${k}`);
  const pa = placements(a.pos, a.neg);
  const pb = placements(b.pos, b.neg);
  const s10 = cov(pa.v10, pa.v10) + cov(pb.v10, pb.v10) - 2 * cov(pa.v10, pb.v10);
  const s01 = cov(pa.v01, pa.v01) + cov(pb.v01, pb.v01) - 2 * cov(pa.v01, pb.v01);
  const variance = s10 / m + s01 / k;
  const difference = pa.auc - pb.auc;
  const se = Math.sqrt(Math.max(0, variance));
  // Identical score vectors give 0/0: no evidence of a difference, so z = 0 and p = 1.
  const z = se > 0 ? difference / se : difference === 0 ? 0 : Math.sign(difference) * Number.POSITIVE_INFINITY;
  return { aurocA: pa.auc, aurocB: pb.auc, difference, variance, se, z, p: twoSidedNormalP(z) };
}
