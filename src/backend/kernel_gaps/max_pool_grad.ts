/**
 * @module `MaxPoolGrad` for the wasm backend, replacing tfjs-backend-wasm 4.22's, which drops the
 * gradient of every window whose values are all negative (its running max starts at 0).
 *
 * The input gradient routes each `dy` element to the position of its window's maximum:
 * `MaxPoolWithArgmax` (wasm, C++) finds the flat positions, one JS pass adds `dy` there. Ties go to the first maximum in row-major window order, as on the cpu backend.
 * wasm's `MaxPoolWithArgmax` has the same flaw (its running max starts at FLT_MIN), so inputs
 * with values ≤ 0 are shifted to `x − min(x) + 1` first.
 * Porting note: the shift rounds values within ~1 ulp of `max − min` together, so near-exact
 * ties may be broken differently than on the cpu backend.
 */
import { backend_util, MaxPoolGrad, util } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { heapViews, KernelScope, type HeapBackend } from './utils.js';

/** `x` itself when all its values are > 0, else `x − min(x) + 1` (owned by the scope). */
function positive(s: KernelScope, x: TensorInfo): TensorInfo {
  const backend = s.backend as HeapBackend;
  const min = s.run('Min', { x }, { axis: x.shape.map((_, i) => i), keepDims: false });
  const m = backend.typedArrayFromHeap(min)[0]!;
  if (m > 0) return x;
  const shift = s.own(backend.makeOutput([], 'float32', undefined, Float32Array.of(1 - m)));
  return s.run('Add', { a: x, b: shift });
}

function maxPoolGradWasm(args: {
  inputs: { dy?: TensorInfo; input?: TensorInfo; output?: TensorInfo };
  backend: KernelBackend;
  attrs: MaxPoolGradAttrs;
}): TensorInfo {
  const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const backend = args.backend as HeapBackend;
  const s = new KernelScope(backend, 'wasm');
  try {
    // Explicit pads keep `dimRoundingMode` (the argmax kernel has none).
    const explicit = [[0, 0], [info.padInfo.top, info.padInfo.bottom], [info.padInfo.left, info.padInfo.right], [0, 0]];
    const [, argmax] = s.runMulti('MaxPoolWithArgmax', { x: positive(s, input) }, {
      filterSize: [info.filterHeight, info.filterWidth],
      strides: [info.strideHeight, info.strideWidth],
      pad: explicit as never,
      includeBatchInIndex: true,
    });
    const m = util.sizeFromShape(dy.shape);
    const out = backend.makeOutput(input.shape, 'float32');
    const [pos, g, ov] = heapViews(backend, [argmax!, dy, out]);
    ov!.fill(0);
    for (let j = 0; j < m; j++) ov![pos![j]!]! += g![j]!;
    return out;
  } finally {
    s.dispose();
  }
}

/** Kernel config: `MaxPoolGrad` on wasm (replaces the backend's kernel). */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGradWasm as unknown as KernelFunc,
};
