// Reads what end_to_end compares across sides out of a medtl run: each method's target-test AUROC (from
// `--json`'s metrics) and epochs per training phase (from the run record's history.json). Both are
// per fold since the fold-based run record; end_to_end's demo experiment has a single holdout fold.

interface FoldMethods<M> {
  readonly id?: string;
  readonly fold?: string;
  readonly methods?: readonly M[];
}

/** Method name -> target-test AUROC (3 decimals) from `medtl run --json` output; fold-qualified when there are several folds. */
export function runAurocs(json: unknown): Record<string, number> {
  const folds = (json as { folds?: readonly FoldMethods<{ method: string; auroc: number }>[] } | undefined)?.folds ?? [];
  return Object.fromEntries(
    folds.flatMap((f) => (f.methods ?? []).map((m) => [folds.length > 1 ? `${f.id}/${m.method}` : m.method, Number(m.auroc.toFixed(3))])),
  );
}

/** Method name -> epochs run in each training phase, from a run record's history.json contents; fold-qualified when there are several folds. */
export function runEpochs(history: unknown): Record<string, number[]> {
  const folds = (history as { folds?: readonly FoldMethods<{ method: string; history?: readonly { epochs: readonly unknown[] }[] }>[] } | undefined)?.folds ?? [];
  return Object.fromEntries(
    folds.flatMap((f) =>
      (f.methods ?? []).map((m) => [folds.length > 1 ? `${f.fold}/${m.method}` : m.method, (m.history ?? []).map((p) => p.epochs.length)]),
    ),
  );
}

/** Method name -> target-test AUROC (3 decimals) from bench/reference/demo_pipeline.py's JSON line (`methods` at the top). */
export function referenceAurocs(json: unknown): Record<string, number> {
  const methods = (json as { methods?: readonly { method: string; auroc: number }[] } | undefined)?.methods ?? [];
  return Object.fromEntries(methods.map((m) => [m.method, Number(m.auroc.toFixed(3))]));
}
