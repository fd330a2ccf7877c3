/**
 * @module `Conv2DBackpropFilter` on wasm as one transposed im2col and one XNNPACK GEMM, for small
 * feature maps.
 *
 * `dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh·d − pt, ow·s + kw·d − pl, ci] · dy[n,oh,ow,co]` is
 * `A · dY` with `A[(kh,kw,ci), (n,oh,ow)]` the input patch values (zero outside the image) and
 * `dY = dy` viewed as `[N·OH·OW, Co]`: one `[KH·KW·Ci, L] · [L, Co]` product whose rows come out in
 * dW's own order. It costs a copy of `KH·KW` times the input, so it pays only where the
 * shifted-window form (`conv2d_filter_gemm.ts`) would multiply many zeros: on small maps, whose
 * zero border is a large share of the grid.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvGeometry } from './conv2d_backprop_filter.js';
import { KernelScope, type HeapBackend } from './utils.js';

/** Writes `A` (`[KH·KW·Ci, N·OH·OW]`, see the module doc) of `x` (NHWC) into `dst`. */
function fillIm2colT(xv: Float32Array, xShape: number[], g: ConvGeometry, dst: Float32Array): void {
  const [n, h, w, ci] = xShape as [number, number, number, number];
  const { outH: oh, outW: ow } = g;
  const len = n * oh * ow;
  const step = g.strideW * ci;
  for (let kh = 0; kh < g.kh; kh++) {
    for (let kw = 0; kw < g.kw; kw++) {
      const c0 = kw * g.dilationW - g.padLeft;
      // Output columns whose input column lies inside the image.
      const q0 = Math.min(ow, Math.max(0, Math.ceil(-c0 / g.strideW)));
      const q1 = Math.max(q0 - 1, Math.min(ow - 1, Math.floor((w - 1 - c0) / g.strideW)));
      const rowBase = (kh * g.kw + kw) * ci;
      for (let b = 0; b < n; b++) {
        for (let y = 0; y < oh; y++) {
          const r = y * g.strideH + kh * g.dilationH - g.padTop;
          const col = (b * oh + y) * ow;
          if (r < 0 || r >= h) {
            for (let c = 0; c < ci; c++) dst.fill(0, (rowBase + c) * len + col, (rowBase + c) * len + col + ow);
            continue;
          }
          const src = ((b * h + r) * w + q0 * g.strideW + c0) * ci;
          for (let c = 0; c < ci; c++) {
            let d = (rowBase + c) * len + col;
            let q = 0;
            for (; q < q0; q++) dst[d++] = 0;
            let si = src + c;
            for (; q <= q1; q++, si += step) dst[d++] = xv[si]!;
            for (; q < ow; q++) dst[d++] = 0;
          }
        }
      }
    }
  }
}

/**
 * dW of a conv (any stride, dilation and padding) as im2col + one GEMM, on the wasm backend.
 * Memory: `KH·KW·Ci·N·OH·OW` floats for the patch matrix.
 * @param x forward input `[N, H, W, Ci]`
 * @param dy output gradient `[N, OH, OW, Co]`
 * @returns `[KH, KW, Ci, Co]` (owned by the scope; call `scope.keep`)
 */
export function conv2dFilterGradIm2col(s: KernelScope, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const backend = s.backend as HeapBackend;
  const ci = x.shape[3]!;
  const co = dy.shape[3]!;
  const len = x.shape[0]! * g.outH * g.outW;
  const rows = g.kh * g.kw * ci;
  const a = s.own(backend.makeOutput([1, rows, len], 'float32'));
  fillIm2colT(backend.typedArrayFromHeap(x) as Float32Array, x.shape, g, backend.typedArrayFromHeap(a) as Float32Array);
  // dy through a view, so the operator XNNPACK caches on the weights' id goes with the view.
  const b = s.view(dy, 0, [1, len, co]);
  const out = s.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  return s.reshape(out, [g.kh, g.kw, ci, co]);
}
