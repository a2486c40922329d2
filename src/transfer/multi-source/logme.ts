import { symmetricEigen } from './eigen.js';

/**
 * LogME (You et al. 2021): the log marginal evidence per sample of labels y given features F under
 * Bayesian linear regression y ~ N(Fm, 1/β), m ~ N(0, 1/α), with α and β set by the paper's fixed-point
 * evidence maximisation. Classification uses one regression per one-hot column, averaged. Higher means
 * the features explain the target labels better, before any training on them. No TypeScript package
 * provides it, so it is written here, on an eigen-decomposition of FᵀF.
 */
export function logme(features: ArrayLike<number>, n: number, d: number, labels: ArrayLike<number>, opts: { maxIterations?: number } = {}): number {
  if (n === 0) throw new Error('LogME needs at least one labelled sample');
  const ftf = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const fa = features[i * d + a];
      if (fa === 0) continue;
      for (let b = 0; b < d; b++) ftf[a * d + b] += fa * features[i * d + b];
    }
  }
  const { values, vectors } = symmetricEigen(ftf, d);
  const s = values.map((x) => Math.max(x, 0));
  let total = 0;
  const classes = [0, 1];
  for (const c of classes) {
    const y = Float64Array.from({ length: n }, (_, i) => (labels[i] === c ? 1 : 0));
    const fty = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let a = 0; a < d; a++) fty[a] += features[i * d + a] * y[i];
    // z = Vᵀ Fᵀ y: the label projected on the eigenbasis of FᵀF.
    const z = Float64Array.from({ length: d }, (_, k) => {
      let acc = 0;
      for (let a = 0; a < d; a++) acc += vectors[a * d + k] * fty[a];
      return acc;
    });
    const yy = y.reduce((acc, v) => acc + v * v, 0);
    let alpha = 1;
    let beta = 1;
    let mm = 0;
    let res = 0;
    for (let it = 0; it < (opts.maxIterations ?? 100); it++) {
      let gamma = 0;
      mm = 0;
      let mFty = 0;
      let mFtFm = 0;
      for (let k = 0; k < d; k++) {
        const denom = alpha + beta * s[k];
        gamma += (beta * s[k]) / denom;
        const mk = (beta * z[k]) / denom;
        mm += mk * mk;
        mFty += mk * z[k];
        mFtFm += s[k] * mk * mk;
      }
      res = Math.max(yy - 2 * mFty + mFtFm, 1e-12);
      const newAlpha = gamma / Math.max(mm, 1e-12);
      const newBeta = Math.max(n - gamma, 1e-12) / res;
      const done = Math.abs(newAlpha - alpha) / alpha < 1e-5 && Math.abs(newBeta - beta) / beta < 1e-5;
      alpha = newAlpha;
      beta = newBeta;
      if (done) break;
    }
    let logDet = 0;
    for (let k = 0; k < d; k++) logDet += Math.log(alpha + beta * s[k]);
    const evidence = (n / 2) * Math.log(beta) + (d / 2) * Math.log(alpha) - (n / 2) * Math.log(2 * Math.PI) - (beta / 2) * res - (alpha / 2) * mm - logDet / 2;
    total += evidence / n;
  }
  return total / classes.length;
}
