import type { ExperimentConfig } from '../config/experiment.js';
import { pairedAurocDifference, pairedTInterval } from '../evaluate/paired.js';
import type { FoldComparison, FoldResult, MethodPredictions, PooledComparison, PooledMethod } from '../record/types.js';

/** The methods every other is compared with: `evaluation.references`, else those with strategy source_only or target_only. */
export function referenceMethods(cfg: ExperimentConfig): string[] {
  return cfg.evaluation.references ?? cfg.methods.filter((m) => m.strategy === 'source_only' || m.strategy === 'target_only').map((m) => m.name);
}

/**
 * Each method against each reference on one fold's target test set: the paired ΔAUROC with its
 * bootstrap CI (one seed, so every pair in the fold is drawn from the same resamples) and DeLong's p.
 */
export function foldComparisons(preds: readonly MethodPredictions[], references: readonly string[], resamples: number, seed: number): FoldComparison[] {
  const by = new Map(preds.map((p) => [p.method, p]));
  const out: FoldComparison[] = [];
  for (const ref of references) {
    const r = by.get(ref);
    if (!r) continue;
    for (const p of preds) {
      // A reference against an earlier reference is already there, with the opposite sign.
      if (p.method === ref || out.some((c) => c.method === ref && c.reference === p.method)) continue;
      // Every method of a fold scores the same target test subjects in the same order; anything else is a bug upstream.
      if (p.keys.length !== r.keys.length || p.keys.some((k, i) => k !== r.keys[i])) throw new Error(`fold '${p.fold}': methods '${p.method}' and '${ref}' scored different target test subjects`);
      out.push({ method: p.method, reference: ref, delta: pairedAurocDifference(r.labels, p.scores, r.scores, { resamples, seed }) });
    }
  }
  return out;
}

/**
 * Pools the folds: each method's mean AUROC with a Student-t interval over folds, and each
 * (method, reference) pair's mean paired per-fold ΔAUROC with its t-interval. A method missing from
 * a fold, or with an undefined AUROC there, is left out of the pooled rows rather than unpaired.
 */
export function poolFolds(folds: readonly FoldResult[]): { methods: PooledMethod[]; comparisons: PooledComparison[] } {
  const names = folds[0]?.methods.map((m) => m.method) ?? [];
  const methods: PooledMethod[] = [];
  for (const name of names) {
    const rows = folds.map((f) => f.methods.find((m) => m.method === name));
    if (rows.some((r) => r === undefined || !Number.isFinite(r.evaluation.auroc))) continue;
    const aurocs = rows.map((r) => r!.evaluation.auroc);
    methods.push({ method: name, strategy: rows[0]!.strategy, auroc: pairedTInterval(aurocs), perFold: aurocs });
  }
  const comparisons: PooledComparison[] = [];
  for (const c of folds[0]?.comparisons ?? []) {
    const deltas = folds.map((f) => f.comparisons.find((x) => x.method === c.method && x.reference === c.reference)?.delta.difference);
    if (deltas.some((d) => d === undefined || !Number.isFinite(d))) continue;
    comparisons.push({ method: c.method, reference: c.reference, delta: pairedTInterval(deltas as number[]) });
  }
  return { methods, comparisons };
}
