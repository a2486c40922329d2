// Evaluation protocols: hold-out, grouped stratified k-fold, leave-one-site-out, label-budget curves, repeated seeds.
export * from './types.js';
export * from './subjects.js';
export * from './hold-out.js';
export * from './grouped-kfold.js';
export * from './leave-one-site-out.js';
export * from './label-budget-curve.js';
export * from './repeat-seeds.js';
