// The pure-JS cpu backend for tests that want TF.js's reference kernels, without the "install
// tfjs-node" banner it prints on first use (initCompute switches it off the same way).
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';

/** Makes the cpu backend the active one, with its first-use banner switched off. */
export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
}
