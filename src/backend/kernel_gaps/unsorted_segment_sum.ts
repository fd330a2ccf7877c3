/**
 * @module `UnsortedSegmentSum` for the wasm backend (tfjs-backend-wasm 4.22 has none; the gradient
 * of `gather` needs it).
 *
 * `out[k, ...] = Σ_{i : ids[i] = k} x[i, ...]` for `k < numSegments`; ids outside
 * `[0, numSegments)` are dropped, as in TensorFlow. One pass of plain adds over views of the wasm
 * heap (wasm's `ScatterNd`, the other candidate, copies element by element and took ~10× longer).
 */
import { UnsortedSegmentSum, util } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import { heapViews, type HeapBackend } from './utils.js';

function unsortedSegmentSumWasm(args: {
  inputs: { x?: TensorInfo; segmentIds?: TensorInfo };
  backend: KernelBackend;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = args.attrs;
  const backend = args.backend as HeapBackend;
  // Porting note: segment ids of rank r cover x's first r axes (TensorFlow semantics).
  const inner = util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const count = util.sizeFromShape(segmentIds.shape);
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const [xv, ids, ov] = heapViews(backend, [x, segmentIds, out]);
  ov!.fill(0);
  for (let i = 0; i < count; i++) {
    const k = ids![i]!;
    if (k < 0 || k >= numSegments) continue;
    const src = i * inner;
    const dst = k * inner;
    for (let e = 0; e < inner; e++) ov![dst + e]! += xv![src + e]!;
  }
  return out;
}

/** Kernel config: `UnsortedSegmentSum` on wasm. */
export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSumWasm as unknown as KernelFunc,
};
