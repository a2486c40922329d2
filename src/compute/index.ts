// The compute layer's only public face: backend start-up and what it chose, scoped kernel thread
// counts, and the fused optimizer step. Modules outside src/compute import from here alone (the
// lint config enforces it), so kernels can change without reaching into train/ or pipeline/.
export { BACKEND_ENV, THREADS_ENV, computeInfo, initCompute } from './backend.js';
export type { BackendName, ComputeInfo, ComputeOptions } from './backend.js';
export { kernelThreads, openKernelThreads, withKernelThreads } from './kernel-threads.js';
export { fusedAdamAvailable, fusedAdamStep, kernelSumSquares } from './optimizer-step.js';
export type { AdamStepAttrs } from './optimizer-step.js';
export { NATIVE_ENV, nativeAvailability } from './native.js';
export { MAX_WASM_THREADS } from './wasm-threads.js';
export { ALL_WASM_PATCH_GROUPS, registerWasmPatches } from './kernels/index.js';
export type { WasmPatchGroup } from './kernels/index.js';
