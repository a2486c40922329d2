import type { ExperimentConfig } from '../config/experiment.js';
import { auroc } from '../evaluate/metrics.js';
import { pairedAurocDifference, pairedTInterval } from '../evaluate/paired.js';
import type { FoldComparison, FoldResult, MethodPredictions, PooledComparison, PooledMethod } from '../record/types.js';

/** What every method is compared with: one method, or a group resolved in each fold to its member with the highest target-test AUROC. */
export interface Reference {
  /** The method's name, or the group's. */
  readonly name: string;
  /** The method itself, or the group's members (two or more). */
  readonly members: readonly string[];
}

/** Strategies whose methods form the default "better of" source group, and the target-only group. */
export const SOURCE_BASELINES: readonly string[] = ['source_only', 'source_only_logistic'];
export const TARGET_BASELINES: readonly string[] = ['target_only', 'target_only_logistic'];

/** Default group names. */
export const BEST_SOURCE = 'best_source';
export const BEST_TARGET_ONLY = 'best_target_only';

/** Whether a method's model learns from the target budget alone: a logistic on record features reads no source encoder. */
export function targetOnlyMethod(m: ExperimentConfig['methods'][number]): boolean {
  if (m.strategy === 'target_only') return true;
  const features = (m.options as { features?: unknown } | undefined)?.features;
  return m.strategy === 'target_only_logistic' && (features === undefined || features === 'record');
}

/**
 * The references every other method is compared with: `evaluation.references` (method names and `bestOf`
 * groups), else `best_source` (the better of the source_only and source_only_logistic methods) and
 * `best_target_only` (the best of the target_only methods and the target_only_logistic methods on record
 * features; one on the frozen source image embedding reads the source model, so it is not target-only)
 * wherever two or more such methods are configured, and each source_only or target_only method that is
 * in no group; a lone logistic baseline is a reference by itself.
 */
export function referenceMethods(cfg: ExperimentConfig): Reference[] {
  if (cfg.evaluation.references) return cfg.evaluation.references.map((r) => (typeof r === 'string' ? { name: r, members: [r] } : { name: r.name, members: r.bestOf }));
  const kinds = [
    [BEST_SOURCE, (m: ExperimentConfig['methods'][number]) => SOURCE_BASELINES.includes(m.strategy)],
    [BEST_TARGET_ONLY, targetOnlyMethod],
  ] as const;
  const groups: Reference[] = [];
  for (const [name, isMember] of kinds) {
    const members = cfg.methods.filter(isMember).map((m) => m.name);
    // A method already named like the group keeps its name; the group is then not formed rather than shadowing it.
    if (members.length >= 2 && !cfg.methods.some((m) => m.name === name)) groups.push({ name, members });
    else for (const member of members) groups.push({ name: member, members: [member] });
  }
  return groups;
}

/**
 * The member a reference stands for on one fold: itself for a single method, else the member with the highest
 * target-test AUROC (the first in order among equals). Choosing on the test set favours the reference, so a
 * method shown better than the group is better than every member. Undefined when no member ran on the fold.
 */
export function resolveReference(ref: Reference, preds: ReadonlyMap<string, MethodPredictions>): MethodPredictions | undefined {
  let best: MethodPredictions | undefined;
  let bestAuroc = -Infinity;
  for (const name of ref.members) {
    const p = preds.get(name);
    if (!p) continue;
    const a = auroc(p.labels, p.scores);
    const score = Number.isNaN(a) ? -Infinity : a;
    if (best === undefined || score > bestAuroc) {
      best = p;
      bestAuroc = score;
    }
  }
  return best;
}

/**
 * Each method against each reference on one fold's target test set: the paired ΔAUROC with its
 * bootstrap CI (one seed, so every pair in the fold is drawn from the same resamples) and DeLong's p.
 * A group reference is resolved first (resolveReference); its members are compared with it too. A bare
 * string is a single method.
 */
export function foldComparisons(preds: readonly MethodPredictions[], references: readonly (Reference | string)[], resamples: number, seed: number): FoldComparison[] {
  const by = new Map(preds.map((p) => [p.method, p]));
  const out: FoldComparison[] = [];
  for (const given of references) {
    const reference = typeof given === 'string' ? { name: given, members: [given] } : given;
    const r = resolveReference(reference, by);
    if (!r) continue;
    const ref = reference.name;
    const group = reference.members.length > 1 || reference.members[0] !== ref;
    for (const p of preds) {
      // A reference against an earlier single reference is already there, with the opposite sign.
      if (p.method === ref || (!group && out.some((c) => c.method === ref && c.reference === p.method))) continue;
      // Every method of a fold scores the same target test subjects in the same order; anything else is a bug upstream.
      if (p.keys.length !== r.keys.length || p.keys.some((k, i) => k !== r.keys[i])) throw new Error(`fold '${p.fold}': methods '${p.method}' and '${ref}' scored different target test subjects`);
      out.push({ method: p.method, reference: ref, ...(group ? { resolved: r.method } : {}), delta: pairedAurocDifference(r.labels, p.scores, r.scores, { resamples, seed }) });
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
