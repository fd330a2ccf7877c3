/**
 * @module A correct and fast `StridedSlice` for the wasm backend, replacing tfjs-backend-wasm
 * 4.22's, which is slow with strides > 1 (an index per element: ~200 ms for a 0.5M-element
 * result) and returns wrong elements when `shrinkAxisMask` meets another stride > 1.
 *
 * tfjs' own `slice_util.sliceInfo` resolves the masks to a dense begin/stride/count per input
 * axis (the cpu backend does the same); the elements are then read in output order by nested
 * loops on views of the wasm heap. Strings keep the backend's kernel.
 */
import { slice_util, StridedSlice, util } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, StridedSliceAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { callReplaced, heapViews, type HeapBackend } from './utils.js';


function stridedSliceWasm(args: { inputs: { x?: TensorInfo }; backend: KernelBackend; attrs: StridedSliceAttrs }): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return callReplaced(StridedSlice, args) as TensorInfo;
  const a = args.attrs;
  const info = slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
  const backend = args.backend as HeapBackend;
  const out = backend.makeOutput(info.finalShape, x.dtype);
  // Porting note: counts come from the dense begin/end/strides; tfjs' `finalShapeSparse` drops
  // shrunk axes, which is how its own kernels go wrong when a shrink meets a stride > 1.
  const counts = x.shape.map((_, i) => Math.max(0, Math.ceil((info.end[i]! - info.begin[i]!) / info.strides[i]!)));
  if (util.sizeFromShape(counts) === 0) return out;
  const [xv, ov] = heapViews(backend, [x, out]);
  const xStrides = [...util.computeStrides(x.shape), 1];
  const r = x.shape.length;
  let o = 0;
  const walk = (axis: number, base: number): void => {
    const step = info.strides[axis]! * xStrides[axis]!;
    let p = base + info.begin[axis]! * xStrides[axis]!;
    const n = counts[axis]!;
    if (axis === r - 1) {
      for (let j = 0; j < n; j++, p += step) ov![o++] = xv![p]!;
    } else {
      for (let j = 0; j < n; j++, p += step) walk(axis + 1, p);
    }
  };
  walk(0, 0);
  return out;
}

/** Kernel config: `StridedSlice` on wasm (replaces the backend's kernel). */
export const stridedSliceConfig: KernelConfig = {
  kernelName: StridedSlice,
  backendName: 'wasm',
  kernelFunc: stridedSliceWasm as unknown as KernelFunc,
};

