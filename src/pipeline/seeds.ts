/** Every seed one fold draws from, each derived from the fold's root seed. */
export interface FoldDraws {
  readonly root: number;
  /** Source sites' train/validation/test split. */
  readonly sourceSplit: number;
  /** Target test share (hold-out, leave-one-site-out, repeats). */
  readonly targetSplit: number;
  /** The labelled subjects of the target budget. */
  readonly budget: number;
  /** The budget's fit/early-stopping split. */
  readonly budgetValidation: number;
  /** The label-budget curve's nested subsets, and their fit/early-stopping split. */
  readonly budgetCurve: number;
  readonly budgetCurveValidation: number;
  /** Source pretraining (shared by every method of the fold that starts from it). */
  readonly pretrain: number;
  /** Every strategy's target-phase training. */
  readonly training: number;
  /** The stratified bootstrap of each method's AUROC CI. */
  readonly bootstrap: number;
  /** The paired bootstrap of each ΔAUROC CI. */
  readonly paired: number;
}

/**
 * The seeds of a fold whose root is `root`, as runs before labelled seed derivation drew them
 * (integer offsets of the root), so a protocol run can be checked against earlier single runs.
 */
export function foldDraws(root: number): FoldDraws {
  return {
    root,
    sourceSplit: root,
    targetSplit: root + 1,
    budget: root + 2,
    budgetValidation: root + 3,
    budgetCurve: root + 4,
    budgetCurveValidation: root + 5,
    pretrain: root,
    training: root,
    bootstrap: root,
    paired: root + 6,
  };
}
