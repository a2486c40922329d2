import { deriveSeed } from '../util/random.js';

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
 * The seeds of a fold whose root is `root`, each a labelled derivation of it (`deriveSeed`), so no
 * two draws share a stream and none depends on how many draws came before it.
 */
export function foldDraws(root: number): FoldDraws {
  return {
    root,
    sourceSplit: deriveSeed(root, 'split', 'source'),
    targetSplit: deriveSeed(root, 'split', 'target'),
    budget: deriveSeed(root, 'budget'),
    budgetValidation: deriveSeed(root, 'budget', 'validation'),
    budgetCurve: deriveSeed(root, 'budget-curve'),
    budgetCurveValidation: deriveSeed(root, 'budget-curve', 'validation'),
    pretrain: deriveSeed(root, 'pretrain'),
    training: deriveSeed(root, 'training'),
    bootstrap: deriveSeed(root, 'evaluate', 'bootstrap'),
    paired: deriveSeed(root, 'evaluate', 'paired'),
  };
}
