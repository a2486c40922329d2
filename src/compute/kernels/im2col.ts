// Patch-matrix helpers for the convolution gradients. They work on raw float32 offsets into the
// wasm heap so that no intermediate leaves the heap and the products run on XNNPACK.
import * as tf from '@tensorflow/tfjs-core';

/** NHWC convolution geometry, as the im2col helpers need it. */
export interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** Conv geometry from tfjs-core's own shape logic, so padding and rounding match every other backend. */
export function convGeometry(
  xShapeNHWC: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShapeNHWC,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Output columns [lo, hi) whose input column `ow*stride - pad + kw` lies inside [0, inW). */
function validRange(kw: number, g: ConvGeometry): [number, number] {
  const lo = Math.min(g.outW, Math.max(0, Math.ceil((g.padLeft - kw) / g.strideW)));
  const hi = Math.max(lo, Math.min(g.outW, Math.floor((g.inW - 1 + g.padLeft - kw) / g.strideW) + 1));
  return [lo, hi];
}

/** Writes the transposed patch matrix of images [n0, n1) at heap offset `dst` (zeros over the padding). */
export function im2colT(heap: Float32Array, x: number, g: ConvGeometry, n0: number, n1: number, dst: number): void {
  // Row (kh*kW + kw)*inC + c, column (n - n0)*outH*outW + oh*outW + ow. The transposed layout
  // makes `dW = colsT · dy` a plain product, which is what XNNPACK takes. Loops run image row by
  // image row so the source row stays in cache while all patch rows that read it are written.
  const { inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const cols = (n1 - n0) * outH * outW;
  const step = strideW * inC;
  const ranges = Array.from({ length: kW }, (_, kw) => validRange(kw, g));
  for (let n = n0; n < n1; n++) {
    for (let oh = 0; oh < outH; oh++) {
      const col0 = ((n - n0) * outH + oh) * outW;
      for (let kh = 0; kh < kH; kh++) {
        const ih = oh * strideH - padTop + kh;
        const inside = ih >= 0 && ih < inH;
        const rowBase = x + (n * inH + ih) * inW * inC;
        for (let kw = 0; kw < kW; kw++) {
          const [lo, hi] = ranges[kw];
          for (let c = 0; c < inC; c++) {
            const d = dst + ((kh * kW + kw) * inC + c) * cols + col0;
            if (!inside) {
              heap.fill(0, d, d + outW);
              continue;
            }
            if (lo > 0) heap.fill(0, d, d + lo);
            let s = rowBase + (lo * strideW - padLeft + kw) * inC + c;
            if (step === 1) {
              heap.copyWithin(d + lo, s, s + (hi - lo));
            } else {
              for (let ow = lo; ow < hi; ow++, s += step) heap[d + ow] = heap[s];
            }
            if (hi < outW) heap.fill(0, d + hi, d + outW);
          }
        }
      }
    }
  }
}

/** Scatter-adds a patch-gradient matrix back into images [n0, n1) of a zero-initialised dx. */
export function col2im(heap: Float32Array, cols: number, g: ConvGeometry, n0: number, n1: number, dx: number): void {
  // Rows (n - n0)*outH*outW + oh*outW + ow, columns (kh*kW + kw)*inC + c; read in order, so the
  // source streams while each write touches inC contiguous floats.
  const { inH, inW, inC, outH, outW, kH, kW, strideH, strideW, padTop, padLeft } = g;
  const rowLen = kH * kW * inC;
  let src = cols;
  for (let n = n0; n < n1; n++) {
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++, src += rowLen) {
        for (let kh = 0; kh < kH; kh++) {
          const ih = oh * strideH - padTop + kh;
          if (ih < 0 || ih >= inH) continue;
          const rowBase = dx + (n * inH + ih) * inW * inC;
          for (let kw = 0; kw < kW; kw++) {
            const iw = ow * strideW - padLeft + kw;
            if (iw < 0 || iw >= inW) continue;
            const d = rowBase + iw * inC;
            const s = src + (kh * kW + kw) * inC;
            for (let c = 0; c < inC; c++) heap[d + c] += heap[s + c];
          }
        }
      }
    }
  }
}

/** Images per chunk so a patch matrix stays under `maxElems` floats (at least one image). */
export function imagesPerChunk(g: ConvGeometry, maxElems: number): number {
  const perImage = g.kH * g.kW * g.inC * g.outH * g.outW;
  return Math.max(1, Math.min(g.batch, Math.floor(maxElems / Math.max(1, perImage))));
}

let patchBudget = 16 * 1024 * 1024;

/** Upper bound on patch-matrix floats per chunk (default 16 Mi floats = 64 MiB); bounds memory for large images and batches. */
export function maxPatchElems(): number {
  return patchBudget;
}

/** Sets the patch-matrix budget (tests use a tiny one to exercise chunking); returns the previous value. */
export function setMaxPatchElems(elems: number): number {
  if (!(Number.isInteger(elems) && elems >= 1)) throw new RangeError(`patch budget must be a positive integer, got ${elems}`);
  const prev = patchBudget;
  patchBudget = elems;
  return prev;
}
