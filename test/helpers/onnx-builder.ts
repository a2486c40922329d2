// A minimal ONNX ModelProto writer so tests build their models themselves (issue 4: no download, no Python).
// Field numbers are those of onnx/onnx.proto; only the fields tests need are written.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** An attribute value: an integer, a list of integers or a float. */
export type OnnxAttribute = { readonly int: number } | { readonly ints: readonly number[] } | { readonly float: number };

/** One graph node: op type, input and output tensor names, attributes. */
export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/** A float32 constant tensor (initializer), values row-major. */
export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly values: Float32Array;
}

/** A float graph input or output; a string dim is symbolic (e.g. 'N' for the batch). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly shape: readonly (number | string)[];
}

/** A whole single-graph float model at opset 13. */
export interface OnnxGraphSpec {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxInitializer[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LEN = 2;
const ONNX_FLOAT = 1;
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

function varint(n: number): number[] {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`onnx-builder: varint ${n} must be a non-negative safe integer`);
  const out: number[] = [];
  // Division, not bit shifts: int64 fields may exceed the 32 bits JS shifts work on.
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return out;
}

function key(field: number, wire: number): number[] {
  return varint(field * 8 + wire);
}

function concat(parts: readonly (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function intField(field: number, n: number): number[] {
  return [...key(field, WIRE_VARINT), ...varint(n)];
}

function bytesField(field: number, payload: Uint8Array): Uint8Array {
  return concat([key(field, WIRE_LEN), varint(payload.length), payload]);
}

function stringField(field: number, s: string): Uint8Array {
  return bytesField(field, new TextEncoder().encode(s));
}

function floatField(field: number, f: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, f, true);
  return concat([key(field, WIRE_FIXED32), b]);
}

function attribute(name: string, a: OnnxAttribute): Uint8Array {
  const parts: (Uint8Array | number[])[] = [stringField(1, name)];
  if ('int' in a) parts.push(intField(3, a.int), intField(20, ATTR_INT));
  else if ('ints' in a) parts.push(...a.ints.map((v) => intField(8, v)), intField(20, ATTR_INTS));
  else parts.push(floatField(2, a.float), intField(20, ATTR_FLOAT));
  return concat(parts);
}

function node(n: OnnxNode): Uint8Array {
  return concat([
    ...n.inputs.map((s) => stringField(1, s)),
    ...n.outputs.map((s) => stringField(2, s)),
    stringField(3, n.name ?? n.outputs[0]),
    stringField(4, n.opType),
    ...Object.entries(n.attributes ?? {}).map(([k, v]) => bytesField(5, attribute(k, v))),
  ]);
}

function tensor(t: OnnxInitializer): Uint8Array {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count !== t.values.length) throw new Error(`onnx-builder: initializer '${t.name}' has ${t.values.length} values, dims [${t.dims.join(', ')}] need ${count}`);
  // raw_data is little-endian float32; copy through a DataView so the bytes do not depend on the host's endianness.
  const raw = new Uint8Array(4 * count);
  const view = new DataView(raw.buffer);
  t.values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return concat([...t.dims.map((d) => intField(1, d)), intField(2, ONNX_FLOAT), stringField(8, t.name), bytesField(9, raw)]);
}

function valueInfo(v: OnnxValueInfo): Uint8Array {
  const dims = v.shape.map((d) => bytesField(1, typeof d === 'number' ? new Uint8Array(intField(1, d)) : stringField(2, d)));
  const tensorType = concat([intField(1, ONNX_FLOAT), bytesField(2, concat(dims))]);
  return concat([stringField(1, v.name), bytesField(2, bytesField(1, tensorType))]);
}

/** Encodes a graph as an ONNX ModelProto (ir_version 8, default-domain opset 13) in protobuf wire format. */
export function encodeOnnxModel(g: OnnxGraphSpec): Uint8Array {
  const graph = concat([
    ...g.nodes.map((n) => bytesField(1, node(n))),
    stringField(2, g.name),
    ...g.initializers.map((t) => bytesField(5, tensor(t))),
    ...g.inputs.map((v) => bytesField(11, valueInfo(v))),
    ...g.outputs.map((v) => bytesField(12, valueInfo(v))),
  ]);
  const opset = concat([stringField(1, ''), intField(2, 13)]);
  return concat([intField(1, 8), stringField(2, 'medtl-test onnx-builder'), bytesField(7, graph), bytesField(8, opset)]);
}

/** Weights of the tiny CNN: conv kernels [out, in, 3, 3] and one bias per output channel. */
export interface TinyCnnWeights {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

/**
 * Deterministic, deliberately asymmetric weights (a flipped or transposed kernel gives other outputs) with
 * biases of both signs, so that ReLU zeroes some pre-activations and the test exercises it.
 */
export function tinyCnnWeights(inChannels: number, outChannels = 4): TinyCnnWeights {
  const kernel = Float32Array.from({ length: outChannels * inChannels * 9 }, (_, k) => {
    const [o, c, ky, kx] = [Math.floor(k / (inChannels * 9)), Math.floor(k / 9) % inChannels, Math.floor(k / 3) % 3, k % 3];
    return (((o * 7 + c * 3 + ky * 5 + kx * 11) % 13) - 6) / 10 + 0.05 * kx;
  });
  const bias = Float32Array.from({ length: outChannels }, (_, o) => (o - 1.5) * 0.2);
  return { inChannels, outChannels, kernel, bias };
}

/** Conv(in->out, 3x3, pads 1) -> Relu -> GlobalAveragePool -> Flatten, NCHW input 'pixels' [N, in, h, w] to 'features' [N, out]. */
export function tinyCnnModel(w: TinyCnnWeights, h: number, width: number): Uint8Array {
  return encodeOnnxModel({
    name: 'tiny-cnn',
    nodes: [
      { opType: 'Conv', inputs: ['pixels', 'W', 'B'], outputs: ['conv'], attributes: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] }, strides: { ints: [1, 1] } } },
      { opType: 'Relu', inputs: ['conv'], outputs: ['relu'] },
      { opType: 'GlobalAveragePool', inputs: ['relu'], outputs: ['pooled'] },
      { opType: 'Flatten', inputs: ['pooled'], outputs: ['features'], attributes: { axis: { int: 1 } } },
    ],
    initializers: [
      { name: 'W', dims: [w.outChannels, w.inChannels, 3, 3], values: w.kernel },
      { name: 'B', dims: [w.outChannels], values: w.bias },
    ],
    inputs: [{ name: 'pixels', shape: ['N', w.inChannels, h, width] }],
    outputs: [{ name: 'features', shape: ['N', w.outChannels] }],
  });
}

/** The tiny CNN's output computed directly in float64, for NCHW input of `n` images: row-major [n, out] (`rectify` false skips the ReLU). */
export function tinyCnnReference(w: TinyCnnWeights, input: Float32Array, n: number, h: number, width: number, rectify = true): Float64Array {
  const { inChannels: cin, outChannels: cout, kernel, bias } = w;
  const out = new Float64Array(n * cout);
  for (let i = 0; i < n; i++) {
    for (let o = 0; o < cout; o++) {
      let total = 0;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < width; x++) {
          let s = bias[o];
          for (let c = 0; c < cin; c++) {
            for (let ky = 0; ky < 3; ky++) {
              for (let kx = 0; kx < 3; kx++) {
                // ONNX Conv is cross-correlation; pads 1 means taps outside the image read zero.
                const yy = y + ky - 1;
                const xx = x + kx - 1;
                if (yy < 0 || yy >= h || xx < 0 || xx >= width) continue;
                s += kernel[((o * cin + c) * 3 + ky) * 3 + kx] * input[((i * cin + c) * h + yy) * width + xx];
              }
            }
          }
          total += rectify ? Math.max(0, s) : s;
        }
      }
      out[i * cout + o] = total / (h * width);
    }
  }
  return out;
}

/** Writes the tiny CNN (3 input channels by default, 8x8) as `tiny-cnn.onnx` in `dir` and returns its path and weights. */
export async function writeTinyCnn(dir: string, opts: { inChannels?: number; size?: number } = {}): Promise<{ path: string; weights: TinyCnnWeights }> {
  const weights = tinyCnnWeights(opts.inChannels ?? 3);
  const size = opts.size ?? 8;
  const path = join(dir, 'tiny-cnn.onnx');
  await writeFile(path, tinyCnnModel(weights, size, size));
  return { path, weights };
}
