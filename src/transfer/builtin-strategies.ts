// The built-in transfer strategies, one line each; registry.ts registers every export of this file.
export { sourceOnly } from './source-only.js';
export { targetOnly } from './target-only.js';
export { pooled } from './pooled.js';
export { freezeThenUnfreeze } from './freeze-unfreeze.js';
export { linearProbe } from './linear-probe.js';
export { fullFinetune } from './full-finetune.js';
export { gradualUnfreeze } from './gradual-unfreeze.js';
export { discriminativeLr } from './discriminative-lr.js';
export { l2sp } from './l2sp.js';
export { coral } from './coral.js';
export { mmd } from './mmd.js';
export { dann } from './dann.js';
export { reweightClassifier } from './reweight/strategy.js';
export { reweightKmm } from './reweight/strategy.js';
export { reweightKliep } from './reweight/strategy.js';
export { multiSourceWeighted } from './multi-source/strategies.js';
export { sourceSelectionLogme } from './multi-source/strategies.js';
