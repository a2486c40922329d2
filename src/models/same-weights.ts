import type { FusionModel } from './fusion.js';

/**
 * Whether two models hold the same weights, bit for bit: same number of weight tensors, same shapes
 * and equal values. Used to tell a transferred model that never moved from its source model.
 */
export function sameWeights(a: FusionModel, b: FusionModel): boolean {
  if (a.net === b.net) return true;
  const wa = a.net.getWeights();
  const wb = b.net.getWeights();
  if (wa.length !== wb.length) return false;
  for (let i = 0; i < wa.length; i++) {
    if (wa[i].shape.join('x') !== wb[i].shape.join('x')) return false;
    const va = wa[i].dataSync();
    const vb = wb[i].dataSync();
    // Object.is keeps the comparison bitwise for NaN and signed zero.
    for (let k = 0; k < va.length; k++) if (!Object.is(va[k], vb[k])) return false;
  }
  return true;
}
