export { BACKEND_ENV, THREADS_ENV, computeInfo, initCompute } from './backend.js';
export type { BackendName, ComputeInfo, ComputeOptions } from './backend.js';
export { MAX_WASM_THREADS } from './wasm-threads.js';
export { ALL_WASM_PATCH_GROUPS, registerWasmPatches } from './kernels/index.js';
export type { WasmPatchGroup } from './kernels/index.js';
