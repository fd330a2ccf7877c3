/**
 * @module `MaxPoolGrad` for the wasm backend, replacing tfjs-backend-wasm 4.22's, which drops the
 * gradient of every window whose values are all negative (its running max starts at 0; its
 * `MaxPoolWithArgmax` has the same flaw, starting at FLT_MIN).
 *
 * One JS pass over views of the wasm heap. For each output pixel the offsets of its window's
 * in-bounds pixels are listed once; per channel, `dy` goes to the first of them whose value equals
 * the forward's output (the kernel's `output` input), which is the first maximum in row-major
 * window order, as on the cpu backend. Searching for that value is one well-predicted comparison
 * per pixel; a running arg-max branches unpredictably on every element (3×3 stride-2 pool of
 * `[4,96,96,16]` in plain JS: 3.5 vs 6.3 ms). A window holding NaN (no pixel equals the maximum)
 * falls back to the running first-strict-maximum.
 */
import { backend_util, MaxPoolGrad } from '@tensorflow/tfjs-core';
import type { KernelBackend, KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { heapViews, type HeapBackend } from './utils.js';

function maxPoolGradWasm(args: {
  inputs: { dy?: TensorInfo; input?: TensorInfo; output?: TensorInfo };
  backend: KernelBackend;
  attrs: MaxPoolGradAttrs;
}): TensorInfo {
  const { dy, input, output } = args.inputs as { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const backend = args.backend as HeapBackend;
  const out = backend.makeOutput(input.shape, 'float32');
  const [xa, ya, ga, oa] = heapViews(backend, [input, output, dy, out]);
  const x = xa as Float32Array;
  const y = ya as Float32Array;
  const g = ga as Float32Array;
  const o = oa as Float32Array;
  o.fill(0);
  const [n, h, w, c] = input.shape as [number, number, number, number];
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, dilationHeight: dh, dilationWidth: dw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  // Offsets of the window's in-bounds pixels, in row-major window order (reused per output pixel).
  const offs = new Int32Array(Math.ceil(fh / dh) * Math.ceil(fw / dw));
  let gi = 0;
  for (let b = 0; b < n; b++) {
    for (let yo = 0; yo < oh; yo++) {
      const y0 = yo * sh - pt;
      for (let xo = 0; xo < ow; xo++) {
        const x0 = xo * sw - pl;
        let nt = 0;
        for (let ky = 0; ky < fh; ky += dh) {
          const yy = y0 + ky;
          if (yy < 0 || yy >= h) continue;
          for (let kx = 0; kx < fw; kx += dw) {
            const xx = x0 + kx;
            if (xx >= 0 && xx < w) offs[nt++] = ((b * h + yy) * w + xx) * c;
          }
        }
        if (nt === 0) {
          gi += c;
          continue;
        }
        // Per channel: the first window pixel equal to the forward's maximum (one well-predicted
        // comparison per pixel). When none is (a NaN in the window), the first strict maximum.
        for (let ch = 0; ch < c; ch++, gi++) {
          const m = y[gi]!;
          let t = 0;
          while (t < nt && x[offs[t]! + ch] !== m) t++;
          let bi: number;
          if (t < nt) {
            bi = offs[t]! + ch;
          } else {
            bi = offs[0]! + ch;
            let bv = x[bi]!;
            for (let k = 1; k < nt; k++) {
              const i = offs[k]! + ch;
              if (x[i]! > bv) {
                bv = x[i]!;
                bi = i;
              }
            }
          }
          o[bi]! += g[gi]!;
        }
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
