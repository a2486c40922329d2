import { stratifiedSiteSplit, type SplitFractions } from '../../data/splits.js';
import type { Sample } from '../../data/types.js';
import type { ProtocolFold } from './types.js';

/** Hold-out protocol: one stratifiedSiteSplit, returned as a fold list of one. */
export function holdOut(samples: readonly Sample[], fractions: SplitFractions, seed: number): [ProtocolFold] {
  const split = stratifiedSiteSplit(samples, fractions, seed);
  return [{ index: 0, train: split.train, val: split.val, test: split.test }];
}
