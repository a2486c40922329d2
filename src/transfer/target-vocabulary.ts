import * as tf from '@tensorflow/tfjs-core';
import type { FusionModel } from '../models/fusion.js';
import type { FittedPreprocessor } from '../preprocess/preprocessor.js';

/**
 * Makes categories seen only in the unlabelled (target) vocabulary rows start from "no effect": their one-hot
 * rows of the first tabular layer are zeroed and their learned embeddings copied from the missing/unseen
 * index 0. The source model then scores those rows exactly as it scored an unseen category before, and
 * target fine-tuning is what gives the new columns weight. Returns how many columns it neutralised.
 */
export function neutraliseUnlabelledCategories(fm: FusionModel, pre: FittedPreprocessor): number {
  const tab = pre.tabular;
  if (!tab) return 0;
  let count = 0;
  if (tab.embedsCategories) {
    tab.categoricalColumns.forEach((col, i) => {
      const idx = (col.unlabelledOnly ?? []).map((c) => col.categories.indexOf(c) + 1);
      if (idx.length === 0) return;
      const layer = fm.net.getLayer(`tab_cat${i + 1}_embed`);
      const [table] = layer.getWeights();
      const rows = table.arraySync() as number[][];
      for (const r of idx) rows[r] = rows[0].slice();
      layer.setWeights([tf.tensor2d(rows)]);
      count += idx.length;
    });
    return count;
  }
  const names = tab.state.featureNames;
  const fresh = tab.categoricalColumns.flatMap((col) => (col.unlabelledOnly ?? []).map((c) => names.indexOf(`${col.name}=${c}`)));
  if (fresh.length === 0) return 0;
  // The one-hot block feeds tab_dense1 directly in intermediate and late fusion; early fusion mixes the
  // raw blocks in one head layer, whose new rows are never trained on source rows (their inputs are 0 there).
  const first = fm.net.layers.find((l) => l.name === 'tab_dense1');
  if (!first) return 0;
  const [kernel, ...rest] = first.getWeights();
  const k = kernel.arraySync() as number[][];
  for (const r of fresh) k[r] = k[r].map(() => 0);
  first.setWeights([tf.tensor2d(k), ...rest]);
  return fresh.length;
}
