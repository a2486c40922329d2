/** The target prevalence EM found, how many iterations it took, and whether it settled. */
export interface EmPriorResult {
  readonly prior: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Saerens et al. (2002) EM prior correction: from source-calibrated positive-class posteriors p_s on unlabelled
 * target rows and the source prior π_s, iterate π_t ← mean of the adjusted posteriors
 * (π_t/π_s)·p_s / ((π_t/π_s)·p_s + ((1−π_t)/(1−π_s))·(1−p_s)) until π_t moves less than tol.
 */
export function emPrior(posteriors: ArrayLike<number>, sourcePrior: number, opts: { readonly maxIter?: number; readonly tol?: number } = {}): EmPriorResult {
  if (posteriors.length === 0) throw new Error('EM prior correction needs at least one unlabelled target row');
  if (!(sourcePrior > 0 && sourcePrior < 1)) throw new Error(`EM prior correction: the source prior must be in (0, 1), got ${sourcePrior}`);
  const maxIter = opts.maxIter ?? 1000;
  const tol = opts.tol ?? 1e-8;
  let prior = sourcePrior;
  for (let it = 1; it <= maxIter; it++) {
    const rPos = prior / sourcePrior;
    const rNeg = (1 - prior) / (1 - sourcePrior);
    let sum = 0;
    for (let i = 0; i < posteriors.length; i++) {
      const pos = rPos * posteriors[i];
      const denom = pos + rNeg * (1 - posteriors[i]);
      sum += denom > 0 ? pos / denom : prior;
    }
    // Kept off 0 and 1, where the log-odds shift would be infinite.
    const next = Math.min(1 - 1e-6, Math.max(1e-6, sum / posteriors.length));
    const moved = Math.abs(next - prior);
    prior = next;
    if (moved < tol) return { prior, iterations: it, converged: true };
  }
  return { prior, iterations: maxIter, converged: false };
}

/** The bias change that moves a classifier's implied prior from π_s to π_t: logit(π_t) − logit(π_s). */
export function priorShiftLogit(sourcePrior: number, targetPrior: number): number {
  return Math.log(targetPrior / (1 - targetPrior)) - Math.log(sourcePrior / (1 - sourcePrior));
}
