/** A design for a small logistic regression: n rows of k columns (row-major), an optional fixed offset per row. */
export interface LogisticDesign {
  readonly n: number;
  readonly k: number;
  /** Row-major [n, k] covariates; include a column of ones for an intercept. */
  readonly x: Float64Array;
  /** Fixed part of each row's log-odds (e.g. the source model's logit), added to x·θ. */
  readonly offset?: Float64Array;
}

/** How a logistic regression is fitted: a ridge toward an anchor (0 = maximum likelihood), and Newton's limits. */
export interface LogisticFitOptions {
  /** Penalty λ‖θ − anchor‖² subtracted from the log-likelihood; 0 when absent. */
  readonly lambda?: number;
  /** The anchor θ is shrunk toward; zeros when absent. */
  readonly anchor?: Float64Array;
  /** Per-coefficient multiplier of λ (0 leaves a coefficient, e.g. the intercept, unpenalised); all 1 when absent. */
  readonly penaltyWeights?: Float64Array;
  /** Newton start; the anchor (or zeros) when absent. */
  readonly start?: Float64Array;
  /** Newton iterations at most; 100 when absent. */
  readonly maxIter?: number;
}

/** A fitted logistic regression: coefficients, the (unpenalised) log-likelihood at them, and whether Newton converged. */
export interface LogisticFit {
  readonly theta: Float64Array;
  readonly logLik: number;
  readonly converged: boolean;
  readonly iterations: number;
}

/** Log-odds x·θ + offset of every row. */
export function linearPredictor(d: LogisticDesign, theta: Float64Array): Float64Array {
  const eta = new Float64Array(d.n);
  for (let i = 0; i < d.n; i++) {
    let s = d.offset ? d.offset[i] : 0;
    for (let j = 0; j < d.k; j++) s += d.x[i * d.k + j] * theta[j];
    eta[i] = s;
  }
  return eta;
}

/** Bernoulli log-likelihood Σ y·η − log(1 + e^η) of 0/1 labels given log-odds, computed without overflow. */
export function bernoulliLogLik(eta: ArrayLike<number>, y: ArrayLike<number>): number {
  let ll = 0;
  for (let i = 0; i < eta.length; i++) ll += y[i] * eta[i] - softplus(eta[i]);
  return ll;
}

function softplus(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

function sigmoid(v: number): number {
  return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
}

function penalty(theta: Float64Array, anchor: Float64Array, lambda: number, weights: Float64Array | undefined): number {
  let s = 0;
  for (let j = 0; j < theta.length; j++) s += (weights ? weights[j] : 1) * (theta[j] - anchor[j]) ** 2;
  return lambda * s;
}

/**
 * Fits θ maximising ℓ(θ) − λ·Σⱼ pⱼ(θⱼ − anchorⱼ)² (pⱼ the penalty weights, 1 by default) by Newton's method with step halving (so the objective never
 * falls). With λ = 0 and separable data the coefficients grow each step; maxIter bounds them and the fit
 * reports converged: false.
 */
export function fitLogistic(d: LogisticDesign, y: ArrayLike<number>, opts: LogisticFitOptions = {}): LogisticFit {
  const { k } = d;
  if (y.length !== d.n) throw new Error(`logistic fit: ${y.length} labels for ${d.n} rows`);
  const lambda = opts.lambda ?? 0;
  const anchor = opts.anchor ?? new Float64Array(k);
  const pw = opts.penaltyWeights;
  if (pw && pw.length !== k) throw new Error(`logistic fit: ${pw.length} penalty weights for ${k} coefficients`);
  let theta = Float64Array.from(opts.start ?? anchor);
  const objective = (t: Float64Array): number => bernoulliLogLik(linearPredictor(d, t), y) - penalty(t, anchor, lambda, pw);
  let obj = objective(theta);
  const maxIter = opts.maxIter ?? 100;
  let converged = false;
  let it = 0;
  for (; it < maxIter && !converged; it++) {
    const eta = linearPredictor(d, theta);
    const grad = new Float64Array(k);
    const hess = new Float64Array(k * k);
    for (let i = 0; i < d.n; i++) {
      const p = sigmoid(eta[i]);
      const r = y[i] - p;
      const w = p * (1 - p);
      for (let a = 0; a < k; a++) {
        const xa = d.x[i * k + a];
        grad[a] += xa * r;
        for (let b = 0; b <= a; b++) hess[a * k + b] += w * xa * d.x[i * k + b];
      }
    }
    for (let a = 0; a < k; a++) {
      const la = lambda * (pw ? pw[a] : 1);
      grad[a] -= 2 * la * (theta[a] - anchor[a]);
      // A tiny ridge keeps the Newton system solvable when a column is constant or collinear.
      hess[a * k + a] += 2 * la + 1e-9;
      for (let b = 0; b < a; b++) hess[b * k + a] = hess[a * k + b];
    }
    const step = solveSpd(hess, grad, k);
    let scale = 1;
    let next = theta;
    let nextObj = obj;
    for (let h = 0; h < 30; h++, scale /= 2) {
      const cand = theta.map((t, j) => t + scale * step[j]);
      const o = objective(cand);
      if (o >= obj - 1e-12) {
        next = cand;
        nextObj = o;
        break;
      }
    }
    converged = next === theta || Math.abs(nextObj - obj) < 1e-10 * (1 + Math.abs(obj));
    theta = next;
    obj = nextObj;
  }
  return { theta, logLik: bernoulliLogLik(linearPredictor(d, theta), y), converged, iterations: it };
}

/** Solves A·x = b for a symmetric positive-definite k×k A (row-major) by Cholesky. */
export function solveSpd(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j];
      for (let m = 0; m < j; m++) s -= l[i * k + m] * l[j * k + m];
      if (i === j) {
        if (!(s > 0)) throw new Error(`logistic fit: Newton matrix is not positive definite (pivot ${i} = ${s})`);
        l[i * k + i] = Math.sqrt(s);
      } else l[i * k + j] = s / l[j * k + j];
    }
  }
  const z = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i];
    for (let m = 0; m < i; m++) s -= l[i * k + m] * z[m];
    z[i] = s / l[i * k + i];
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = z[i];
    for (let m = i + 1; m < k; m++) s -= l[m * k + i] * x[m];
    x[i] = s / l[i * k + i];
  }
  return x;
}
