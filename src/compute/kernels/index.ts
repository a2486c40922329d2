import { registerConv2DBackpropFilter } from './conv2d-backprop-filter.js';
import { registerConv2DBackpropInput } from './conv2d-backprop-input.js';
import { registerMatMulPatches } from './matmul-transpose.js';
import { registerMaxPoolGrad } from './max-pool-grad.js';
import { registerUnsortedSegmentSum } from './unsorted-segment-sum.js';

export { CONV2D_BACKPROP_FILTER_PATCH } from './conv2d-backprop-filter.js';
export { CONV2D_BACKPROP_INPUT_PATCH } from './conv2d-backprop-input.js';
export { FUSED_MATMUL_PATCH, MATMUL_PATCH } from './matmul-transpose.js';
export { MAX_POOL_GRAD_PATCH } from './max-pool-grad.js';
export { UNSORTED_SEGMENT_SUM_PATCH } from './unsorted-segment-sum.js';
export { maxPatchElems, setMaxPatchElems } from './im2col.js';

/** The groups of wasm kernel fixes that can be switched on one by one (benchmarks compare them). */
export type WasmPatchGroup = 'matmul' | 'conv2dBackpropFilter' | 'conv2dBackpropInput' | 'maxPoolGrad' | 'unsortedSegmentSum';

/** Every group, in the order initCompute applies them. */
export const ALL_WASM_PATCH_GROUPS: readonly WasmPatchGroup[] = [
  'matmul',
  'conv2dBackpropFilter',
  'conv2dBackpropInput',
  'maxPoolGrad',
  'unsortedSegmentSum',
];

const registrars: Record<WasmPatchGroup, () => string[]> = {
  matmul: registerMatMulPatches,
  conv2dBackpropFilter: registerConv2DBackpropFilter,
  conv2dBackpropInput: registerConv2DBackpropInput,
  maxPoolGrad: registerMaxPoolGrad,
  unsortedSegmentSum: registerUnsortedSegmentSum,
};

/** Registers the chosen wasm kernel fixes (all by default) and returns the ids of those in force; idempotent. */
export function registerWasmPatches(groups: readonly WasmPatchGroup[] = ALL_WASM_PATCH_GROUPS): string[] {
  return groups.flatMap((g) => registrars[g]());
}
