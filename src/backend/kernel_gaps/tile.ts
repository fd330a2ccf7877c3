/**
 * @module A fast `Tile` for the wasm backend (replaces tfjs-backend-wasm 4.22's, which computes
 * an index per element: ~100× the time of an `Add` of the same size). `tf.broadcastTo`, and so
 * `tf.where` with broadcasting, run on it.
 *
 * Per axis, outermost first: lay out one copy of the sub-block recursively, then repeat it with
 * `copyWithin` (memmove speed) `reps − 1` times. Strings keep the backend's kernel.
 */
import { Tile, util } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo, TileAttrs } from '@tensorflow/tfjs-core';
import { callReplaced, heapViews, type HeapBackend } from './utils.js';

type View = Float32Array | Int32Array | Uint8Array;

/** Repeats `out[oo, oo + block)` right after itself, `reps − 1` times. */
function repeat(out: View, oo: number, block: number, reps: number): void {
  if (block >= 64) {
    for (let rep = 1; rep < reps; rep++) out.copyWithin(oo + rep * block, oo, oo + block);
    return;
  }
  // Short blocks: a loop beats a copyWithin call per block.
  for (let i = block, end = block * reps; i < end; i++) out[oo + i] = out[oo + i - block]!;
}

function fill(x: View, out: View, shape: number[], reps: number[], xStrides: number[], oStrides: number[], axis: number, xo: number, oo: number): void {
  const n = shape[axis]!;
  if (axis === shape.length - 1) {
    for (let j = 0; j < n; j++) out[oo + j] = x[xo + j]!;
  } else {
    for (let k = 0; k < n; k++) fill(x, out, shape, reps, xStrides, oStrides, axis + 1, xo + k * xStrides[axis]!, oo + k * oStrides[axis]!);
  }
  // One copy of this axis' block (n sub-blocks of oStrides[axis] elements) is in place at oo.
  repeat(out, oo, n * oStrides[axis]!, reps[axis]!);
}

function tileWasm(args: { inputs: { x?: TensorInfo }; backend: KernelBackend; attrs: TileAttrs }): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string' || x.shape.length === 0) return callReplaced(Tile, args) as TensorInfo;
  const { reps } = args.attrs;
  const backend = args.backend as HeapBackend;
  const shape = x.shape;
  const outShape = shape.map((d, i) => d * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  if (util.sizeFromShape(outShape) === 0) return out;
  const [xv, ov] = heapViews(backend, [x, out]);
  const xStrides = [...util.computeStrides(shape), 1];
  const oStrides = [...util.computeStrides(outShape), 1];
  fill(xv!, ov!, shape, reps, xStrides, oStrides, 0, 0, 0);
  return out;
}

/** Kernel config: `Tile` on wasm (replaces the backend's kernel). */
export const tileConfig: KernelConfig = {
  kernelName: Tile,
  backendName: 'wasm',
  kernelFunc: tileWasm as unknown as KernelFunc,
};
