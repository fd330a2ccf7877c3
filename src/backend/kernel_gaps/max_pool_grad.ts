/**
 * @module `MaxPoolGrad` for the wasm backend, replacing tfjs-backend-wasm 4.22's, which drops the
 * gradient of every window whose values are all negative (its running max starts at 0; its
 * `MaxPoolWithArgmax` has the same flaw, starting at FLT_MIN).
 *
 * One JS pass over views of the wasm heap: for each output pixel, scan its window channel-wise
 * (NHWC keeps the inner loop contiguous), remember the first maximum per channel, and add `dy`
 * there. Ties go to the first maximum in row-major window order, as on the cpu backend.
 */
import { backend_util, MaxPoolGrad } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { heapViews, type HeapBackend } from './utils.js';

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
  const out = backend.makeOutput(input.shape, 'float32');
  const [xa, ga, oa] = heapViews(backend, [input, dy, out]);
  const x = xa as Float32Array;
  const g = ga as Float32Array;
  const o = oa as Float32Array;
  o.fill(0);
  const [n, h, w, c] = input.shape as [number, number, number, number];
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, dilationHeight: dh, dilationWidth: dw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  let gi = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const y0 = y * sh - pt;
      for (let xo = 0; xo < ow; xo++) {
        const x0 = xo * sw - pl;
        best.fill(-Infinity);
        at.fill(-1);
        for (let ky = 0; ky < fh; ky += dh) {
          const yy = y0 + ky;
          if (yy < 0 || yy >= h) continue;
          for (let kx = 0; kx < fw; kx += dw) {
            const xx = x0 + kx;
            if (xx < 0 || xx >= w) continue;
            const base = ((b * h + yy) * w + xx) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch]!;
              if (v > best[ch]! || at[ch] === -1) {
                best[ch] = v;
                at[ch] = base + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++, gi++) if (at[ch]! >= 0) o[at[ch]!]! += g[gi]!;
      }
    }
  }
  return out;
}

/** Kernel config: `MaxPoolGrad` on wasm (replaces the backend's kernel). */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGradWasm as unknown as KernelFunc,
};
