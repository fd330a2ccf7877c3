/**
 * @module A fast `Conv2DBackpropInput` for the wasm backend (the wasm backend's own kernel is a
 * scalar loop: 656 ms vs 49 ms on 64→64, 128²).
 *
 * For `y = conv(x, W)` with stride s, dilation d, padding (pt, pl):
 * `dx[h] = Σ_{oh,kh : oh·s + kh·d − pt = h} dy[oh] · W[kh]`.
 * - Stride 1 (any dilation): one forward XNNPACK `Conv2D` of `dy` with the filter rotated 180° and
 *   its in/out channels swapped (`R[k] = W[K−1−k]ᵀ`, one JS pass), dilation d, top padding
 *   `(K−1)·d − pt`, bottom `H − OH + pt` (negative paddings become crops).
 * - Stride > 1: one GEMM `dy[N·OH·OW, Co] · Wᵀ[Co, KH·KW·Ci]` (XNNPACK's fully connected) and a
 *   JS scatter-add of each row onto the input pixels its taps read (col2im); the same multiply-adds
 *   as the forward conv. Measured against a sub-pixel decomposition (the s² phases as separate
 *   stride-1 convs, or as one conv over their union window): on the shapes of the default shapes
 *   RetinaNet the GEMM took 1.1–1.5× its forward conv, the phase forms 1.2–2.9× (measured in
 *   isolation, CPU time). It also serves an empty batch (a mask head's 2×2 stride-2 deconv with no
 *   RoIs), where the phase form divided by zero.
 */
import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { geometryOf, type ConvGeometry } from './conv2d_backprop_filter.js';
import { KernelScope, type HeapBackend } from './utils.js';

/**
 * `dy` upsampled by inserting `sh−1` / `sw−1` zeros after each row / column.
 * @param dy `[N, OH, OW, C]`
 * @returns `[N, OH·sh, OW·sw, C]` (owned by the scope)
 */
export function zeroUpsample(s: KernelScope, dy: TensorInfo, sh: number, sw: number): TensorInfo {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, c] = dy.shape as [number, number, number, number];
  const r = s.reshape(dy, [n, oh, 1, ow, 1, c]);
  const p = s.run('PadV2', { x: r }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
  return s.reshape(p, [n, oh * sh, ow * sw, c]);
}

/**
 * The filter rotated 180° with its in/out channels swapped, `R[kh, kw, co, ci] = W[KH−1−kh,
 * KW−1−kw, ci, co]`, written in one JS pass over views of the wasm heap (wasm's `Reverse` computes
 * an index per element: 5 ms for 3×3×128×128, more than the conv it feeds on 6×6 maps).
 * @param filter `[KH, KW, Ci, Co]`
 * @returns `[KH, KW, Co, Ci]` (owned by the scope)
 */
export function rotateFilter(s: KernelScope, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape as [number, number, number, number];
  const backend = s.backend as HeapBackend;
  const out = s.own(backend.makeOutput([kh, kw, co, ci], 'float32'));
  // Views after the last allocation: growing the heap detaches earlier ones.
  const w = backend.typedArrayFromHeap(filter) as Float32Array;
  const r = backend.typedArrayFromHeap(out) as Float32Array;
  const taps = kh * kw;
  const block = ci * co;
  for (let t = 0; t < taps; t++) {
    const src0 = (taps - 1 - t) * block;
    let d = t * block;
    // A [Ci, Co] → [Co, Ci] transpose per tap.
    for (let o = 0; o < co; o++) {
      let i = src0 + o;
      for (let k = 0; k < ci; k++, i += co) r[d++] = w[i]!;
    }
  }
  return out;
}

/**
 * dx of a stride-1 conv (any dilation) as one forward conv with the rotated filter.
 * @param dy `[N, OH, OW, Co]`; @param filter `[KH, KW, Ci, Co]`
 * @returns `[N, H, W, Ci]` (owned by the scope)
 */
function inputGradStride1(s: KernelScope, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const [n, oh, ow, co] = dy.shape as [number, number, number, number];
  // Pads of the stride-1 conv; a negative one crops dy instead.
  const ph = [(g.kh - 1) * g.dilationH - g.padTop, g.inH - oh + g.padTop];
  const pw = [(g.kw - 1) * g.dilationW - g.padLeft, g.inW - ow + g.padLeft];
  const ct = Math.max(0, -ph[0]!);
  const cl = Math.max(0, -pw[0]!);
  const u = s.slice(dy, [0, ct, cl, 0], [n, oh - ct - Math.max(0, -ph[1]!), ow - cl - Math.max(0, -pw[1]!), co]);
  return s.run('Conv2D', { x: u, filter: rotateFilter(s, filter) }, {
    strides: [1, 1],
    dilations: [g.dilationH, g.dilationW],
    pad: [[0, 0], [Math.max(0, ph[0]!), Math.max(0, ph[1]!)], [Math.max(0, pw[0]!), Math.max(0, pw[1]!)], [0, 0]],
    dataFormat: 'NHWC',
    dimRoundingMode: 'floor',
  } as never);
}

/**
 * dx as one GEMM and a scatter-add: `cols = dy[N·OH·OW, Co] · Wᵀ[Co, KH·KW·Ci]`, then each row of
 * `cols` (one output pixel of the forward conv) is added back onto the input pixels its taps read
 * (col2im). Any stride and dilation; the multiply-adds equal the forward conv's.
 * @returns `[N, H, W, Ci]` (owned by the scope)
 */
function inputGradGemm(s: KernelScope, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const [n, oh, ow, co] = dy.shape as [number, number, number, number];
  const [kh, kw, ci] = filter.shape as [number, number, number, number];
  const kkc = kh * kw * ci;
  const wt = s.reshape(s.transpose(s.reshape(filter, [kkc, co]), [1, 0]), [1, co, kkc]);
  const cols = s.run('BatchMatMul', { a: s.reshape(dy, [1, n * oh * ow, co]), b: wt }, { transposeA: false, transposeB: false });
  const backend = s.backend as HeapBackend;
  const h = g.inH;
  const w = g.inW;
  const out = s.own(backend.makeOutput([n, h, w, ci], 'float32'));
  const c = backend.typedArrayFromHeap(cols) as Float32Array;
  const o = backend.typedArrayFromHeap(out) as Float32Array;
  o.fill(0);
  let src = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const y0 = y * g.strideH - g.padTop;
      for (let x = 0; x < ow; x++, src += kkc) {
        const x0 = x * g.strideW - g.padLeft;
        for (let i = 0; i < kh; i++) {
          const yy = y0 + i * g.dilationH;
          if (yy < 0 || yy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const xx = x0 + j * g.dilationW;
            if (xx < 0 || xx >= w) continue;
            let d = ((b * h + yy) * w + xx) * ci;
            let t = src + (i * kw + j) * ci;
            for (let k = 0; k < ci; k++) o[d++]! += c[t++]!;
          }
        }
      }
    }
  }
  return out;
}

/**
 * dx of a conv as forward convs, on the scope's backend.
 * @param dy output gradient `[N, OH, OW, Co]`
 * @param filter forward filter `[KH, KW, Ci, Co]`
 * @returns `[N, H, W, Ci]` (owned by the scope)
 */
export function conv2dInputGrad(s: KernelScope, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  if (g.strideH === 1 && g.strideW === 1) return inputGradStride1(s, dy, filter, g);
  return inputGradGemm(s, dy, filter, g);
}

function conv2DBackpropInputWasm(args: { inputs: { dy?: TensorInfo; filter?: TensorInfo }; backend: KernelBackend; attrs: Conv2DBackpropInputAttrs }): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs;
  const fmt = backend_util.convertConv2DDataFormat(dataFormat);
  if (fmt !== 'channelsLast') throw new Error(`Conv2DBackpropInput on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  const info = backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, fmt);
  const s = new KernelScope(args.backend, 'wasm');
  try {
    return s.keep(conv2dInputGrad(s, dy, filter, geometryOf(info)));
  } finally {
    s.dispose();
  }
}

/** Kernel config: `Conv2DBackpropInput` on wasm (replaces the backend's scalar kernel). */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWasm as unknown as KernelFunc,
};
