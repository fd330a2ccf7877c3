/**
 * @module `UnsortedSegmentSum` for the wasm backend (tfjs-backend-wasm 4.22 has none; the gradient
 * of `gather` needs it).
 *
 * `out[k, ...] = Σ_{i : ids[i] = k} x[i, ...]` for `k < numSegments`, expressed as the wasm
 * `ScatterNd` (which accumulates duplicate indices) of `x` at indices `ids[:, None]`. Ids outside
 * `[0, numSegments)` are dropped, as in TensorFlow: when any is present those rows are removed
 * first (one pass over the int32 ids).
 */
import { UnsortedSegmentSum, util } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs-core';
import { KernelScope } from './utils.js';

interface HeapBackend extends KernelBackend {
  typedArrayFromHeap(t: TensorInfo): Int32Array | Float32Array | Uint8Array;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number, values?: Int32Array): TensorInfo;
}

function unsortedSegmentSumWasm(args: {
  inputs: { x?: TensorInfo; segmentIds?: TensorInfo };
  backend: KernelBackend;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const { x, segmentIds } = args.inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = args.attrs;
  const backend = args.backend as HeapBackend;
  // Porting note: segment ids of rank r cover x's first r axes (TensorFlow semantics).
  const r = segmentIds.shape.length;
  const inner = x.shape.slice(r);
  const count = util.sizeFromShape(segmentIds.shape);
  const s = new KernelScope(backend, 'wasm');
  try {
    const ids = backend.typedArrayFromHeap(segmentIds);
    const valid: number[] = [];
    for (let i = 0; i < count; i++) if (ids[i]! >= 0 && ids[i]! < numSegments) valid.push(i);
    let idx = s.reshape(segmentIds, [count, 1]);
    let upd = s.reshape(x, [count, ...inner]);
    if (valid.length < count) {
      const rows = backend.makeOutput([valid.length], 'int32', undefined, Int32Array.from(valid));
      s.own(rows);
      idx = s.run('GatherV2', { x: idx, indices: rows }, { axis: 0, batchDims: 0 });
      upd = s.run('GatherV2', { x: upd, indices: rows }, { axis: 0, batchDims: 0 });
    }
    return s.keep(s.run('ScatterNd', { indices: idx, updates: upd }, { shape: [numSegments, ...inner] }));
  } finally {
    s.dispose();
  }
}

/** Kernel config: `UnsortedSegmentSum` on wasm. */
export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSumWasm as unknown as KernelFunc,
};
