/**
 * @module Fast `Slice`, `SplitV` and `Unpack` for the wasm backend (they replace
 * tfjs-backend-wasm 4.22's, which copy one innermost row per `TypedArray.set` call: splitting
 * `[N, 4]` boxes into columns costs one call per box and column).
 *
 * The slice is copied in the longest contiguous runs it has: trailing axes taken whole merge
 * into one run; long runs use `TypedArray.set` (memcpy), short ones a plain loop. `SplitV` and
 * `Unpack` are slices along one axis. Strings keep the backend's kernels.
 */
import { backend_util, Slice, slice_util, SplitV, Unpack, util } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, SliceAttrs, SplitVAttrs, TensorInfo, UnpackAttrs } from '@tensorflow/tfjs-core';
import { callReplaced, heapViews, type HeapBackend } from './utils.js';

type View = Float32Array | Int32Array | Uint8Array;

/** Copies the box `[begin, begin + size)` of `x` (shape `shape`) into `out`, row-major. */
export function copySlice(x: View, shape: number[], begin: number[], size: number[], out: View): void {
  const r = shape.length;
  if (r === 0) {
    out[0] = x[0]!;
    return;
  }
  const strides = [...util.computeStrides(shape), 1];
  // Innermost axis not taken whole: everything from it inward is one contiguous run.
  let k = r - 1;
  while (k > 0 && size[k] === shape[k] && begin[k] === 0) k--;
  const run = size[k]! * strides[k]!;
  let o = 0;
  const copyRun = (src: number) => {
    if (run >= 64) out.set(x.subarray(src, src + run), o);
    else for (let e = 0; e < run; e++) out[o + e] = x[src + e]!;
    o += run;
  };
  const walk = (axis: number, base: number): void => {
    if (axis === k) {
      copyRun(base + begin[k]! * strides[k]!);
      return;
    }
    const n = size[axis]!;
    let p = base + begin[axis]! * strides[axis]!;
    for (let j = 0; j < n; j++, p += strides[axis]!) walk(axis + 1, p);
  };
  walk(0, 0);
}

function sliceOut(backend: HeapBackend, x: TensorInfo, begin: number[], size: number[], outShape: number[] = size): TensorInfo {
  const out = backend.makeOutput(outShape, x.dtype);
  if (util.sizeFromShape(size) === 0) return out;
  const [xv, ov] = heapViews(backend, [x, out]);
  copySlice(xv!, x.shape, begin, size, ov!);
  return out;
}

function sliceWasm(args: { inputs: { x?: TensorInfo }; backend: KernelBackend; attrs: SliceAttrs }): TensorInfo {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return callReplaced(Slice, args) as TensorInfo;
  const [begin, size] = slice_util.parseSliceParams(x, args.attrs.begin, args.attrs.size);
  slice_util.assertParamsValid(x, begin!, size!);
  return sliceOut(args.backend as HeapBackend, x, begin!, size!);
}

function splitVWasm(args: { inputs: { x?: TensorInfo }; backend: KernelBackend; attrs: SplitVAttrs }): TensorInfo[] {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return callReplaced(SplitV, args) as TensorInfo[];
  const axis = util.parseAxisParam(args.attrs.axis, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x, args.attrs.numOrSizeSplits, axis);
  const begin = x.shape.map(() => 0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const out = sliceOut(args.backend as HeapBackend, x, [...begin], size);
    begin[axis]! += s;
    return out;
  });
}

function unpackWasm(args: { inputs: { value?: TensorInfo }; backend: KernelBackend; attrs: UnpackAttrs }): TensorInfo[] {
  const { value } = args.inputs as { value: TensorInfo };
  if (value.dtype === 'string') return callReplaced(Unpack, args) as TensorInfo[];
  const axis = args.attrs.axis < 0 ? args.attrs.axis + value.shape.length : args.attrs.axis;
  const size = [...value.shape];
  size[axis] = 1;
  const outShape = value.shape.filter((_, i) => i !== axis);
  return Array.from({ length: value.shape[axis]! }, (_, i) => {
    const begin = value.shape.map((_, j) => (j === axis ? i : 0));
    return sliceOut(args.backend as HeapBackend, value, begin, size, outShape);
  });
}

/** Kernel configs: `Slice`, `SplitV`, `Unpack` on wasm (replace the backend's kernels). */
export const sliceConfigs: readonly KernelConfig[] = [
  { kernelName: Slice, backendName: 'wasm', kernelFunc: sliceWasm as unknown as KernelFunc },
  { kernelName: SplitV, backendName: 'wasm', kernelFunc: splitVWasm as unknown as KernelFunc },
  { kernelName: Unpack, backendName: 'wasm', kernelFunc: unpackWasm as unknown as KernelFunc },
];
