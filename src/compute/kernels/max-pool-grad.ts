// The stock wasm MaxPoolGrad visits, for every input element, every pooling window that could
// contain it; on a small CNN it took about as long as both convolution gradients together.
// Routing each window's gradient to its arg-max is one pass over the windows. Ties and NaNs
// follow the cpu backend: the first strictly greater element in row-major window order wins,
// padding never does, and a window with no element above -Infinity passes no gradient.
import * as tf from '@tensorflow/tfjs-core';
import { WASM, f32Offset, heapF32, type WasmKernelArgs } from './wasm-internals.js';

/** Patch id for the max-pool gradient, as listed in ComputeInfo.patches. */
export const MAX_POOL_GRAD_PATCH = 'wasm:MaxPoolGrad=argmax-scatter';

let registered = false;

function maxPoolGrad(args: WasmKernelArgs<tf.MaxPoolGradAttrs>): tf.TensorInfo {
  const { backend, attrs } = args;
  const { dy, input } = args.inputs;
  if (dy.dtype !== 'float32' || input.dtype !== 'float32') {
    throw new Error('medtl compute: MaxPoolGrad on wasm supports float32 only');
  }
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, strideHeight, strideWidth } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;

  const dx = backend.makeOutput([...input.shape], 'float32');
  const heap = heapF32(backend);
  const x = f32Offset(backend, input);
  const g = f32Offset(backend, dy);
  const out = f32Offset(backend, dx);
  heap.fill(0, out, out + tf.util.sizeFromShape(input.shape));
  const rowStride = inWidth * ch;
  let gi = g;
  for (let n = 0; n < batchSize; n++) {
    const img = n * inHeight * rowStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - padTop;
      const hLo = Math.max(0, h0);
      const hHi = Math.min(inHeight, h0 + fh);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - padLeft;
        const wLo = Math.max(0, w0);
        const wHi = Math.min(inWidth, w0 + fw);
        for (let c = 0; c < ch; c++, gi++) {
          let best = -Infinity;
          let at = -1;
          for (let h = hLo; h < hHi; h++) {
            let p = img + h * rowStride + wLo * ch + c;
            for (let w = wLo; w < wHi; w++, p += ch) {
              const v = heap[x + p];
              if (v > best) {
                best = v;
                at = p;
              }
            }
          }
          if (at >= 0) heap[out + at] += heap[gi];
        }
      }
    }
  }
  return dx;
}

/** Replaces the wasm MaxPoolGrad with the arg-max scatter; returns the patch ids (idempotent). */
export function registerMaxPoolGrad(): string[] {
  if (!registered) {
    if (tf.getKernel(tf.MaxPoolGrad, WASM) !== undefined) tf.unregisterKernel(tf.MaxPoolGrad, WASM);
    tf.registerKernel({ kernelName: tf.MaxPoolGrad, backendName: WASM, kernelFunc: maxPoolGrad as unknown as tf.KernelFunc });
    registered = true;
  }
  return [MAX_POOL_GRAD_PATCH];
}
