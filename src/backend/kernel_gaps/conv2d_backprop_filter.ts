/**
 * @module `Conv2DBackpropFilter` for the wasm backend (tfjs-backend-wasm 4.22 has none), expressed
 * as one forward XNNPACK `Conv2D` in one of two layouts (see {@link conv2dFilterGradFolded} for
 * the one used at small batch and for 1×1 filters).
 *
 * For a conv `y = conv(x, W)` with stride s, dilation d and padding (pt, pl):
 * `dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh·d − pt, ow·s + kw·d − pl, ci] · dy[n,oh,ow,co]`.
 * That is a forward conv of `x` viewed as `[Ci, H, W, N]` (channels as batch, batch as channels)
 * with `dy` viewed as the filter `[OH, OW, N, Co]`, using stride d and dilation s: its output
 * `[Ci, KH, KW, Co]` transposed to `[KH, KW, Ci, Co]` is dW.
 */
import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { KernelScope } from './utils.js';

/** Geometry of a 2-D conv needed by the gradient kernels (NHWC). */
export interface ConvGeometry {
  /** Filter height/width (not dilated). */
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
  /** Input height/width of the forward conv. */
  inH: number;
  inW: number;
  /** Output height/width of the forward conv. */
  outH: number;
  outW: number;
}

/** Extracts {@link ConvGeometry} from tfjs' conv info. */
export function geometryOf(info: backend_util.Conv2DInfo): ConvGeometry {
  return {
    kh: info.filterHeight,
    kw: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilationH: info.dilationHeight,
    dilationW: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    inH: info.inHeight,
    inW: info.inWidth,
    outH: info.outHeight,
    outW: info.outWidth,
  };
}

/**
 * dW of a conv as a forward conv, on the scope's backend.
 * @param x forward input `[N, H, W, Ci]`
 * @param dy output gradient `[N, OH, OW, Co]`
 * @returns `[KH, KW, Ci, Co]` (owned by the scope; call `scope.keep`)
 */
export function conv2dFilterGrad(s: KernelScope, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  // Rows of x the forward conv touches end at (OH-1)·s + (KH-1)·d − pt; pad up to it or crop after it.
  const bottom = (g.outH - 1) * g.strideH + (g.kh - 1) * g.dilationH - g.padTop - (g.inH - 1);
  const right = (g.outW - 1) * g.strideW + (g.kw - 1) * g.dilationW - g.padLeft - (g.inW - 1);
  let xt = s.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, N]
  xt = s.slice(xt, [0, 0, 0, 0], [xt.shape[0]!, g.inH + Math.min(0, bottom), g.inW + Math.min(0, right), xt.shape[3]!]);
  const f = s.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, Co]
  const pad = [[0, 0], [g.padTop, Math.max(0, bottom)], [g.padLeft, Math.max(0, right)], [0, 0]];
  const out = s.run('Conv2D', { x: xt, filter: f }, {
    strides: [g.dilationH, g.dilationW],
    dilations: [g.strideH, g.strideW],
    pad,
    dataFormat: 'NHWC',
    dimRoundingMode: 'floor',
  } as never); // [Ci, KH, KW, Co]
  return s.transpose(out, [1, 2, 0, 3]);
}

/**
 * dW of a conv as one forward conv with the output columns folded into channels: for each filter
 * column kw, the input columns `ow·s + kw·d − pl` are gathered (strided slice) and laid out as
 * `[Ci, Hp, 1, N·OW]`; stacked over kw, they are convolved along H only with dy viewed as
 * `[OH, 1, N·OW, Co]` (stride d, dilation s). Each tap then sums over N·OW channels instead of N,
 * which XNNPACK runs far better when the batch is small.
 * @returns `[KH, KW, Ci, Co]` (owned by the scope)
 */
export function conv2dFilterGradFolded(s: KernelScope, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const [n, h, w, ci] = x.shape as [number, number, number, number];
  const co = dy.shape[3]!;
  const hp = (g.outH - 1) * g.strideH + (g.kh - 1) * g.dilationH + 1;
  const wp = (g.outW - 1) * g.strideW + (g.kw - 1) * g.dilationW + 1;
  const bottom = hp - g.padTop - h;
  const right = wp - g.padLeft - w;
  // Crop what the conv never reads, then pad to exactly hp × wp.
  const xc = s.slice(x, [0, 0, 0, 0], [n, h + Math.min(0, bottom), w + Math.min(0, right), ci]);
  const xp = bottom > 0 || right > 0 || g.padTop > 0 || g.padLeft > 0
    ? s.run('PadV2', { x: xc }, { paddings: [[0, 0], [g.padTop, Math.max(0, bottom)], [g.padLeft, Math.max(0, right)], [0, 0]], constantValue: 0 })
    : xc;
  const cols: TensorInfo[] = [];
  for (let kw = 0; kw < g.kw; kw++) {
    const c0 = kw * g.dilationW;
    const sel = s.run('StridedSlice', { x: xp }, {
      begin: [0, 0, c0, 0],
      end: [n, hp, c0 + (g.outW - 1) * g.strideW + 1, ci],
      strides: [1, 1, g.strideW, 1],
      beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
    }); // [N, Hp, OW, Ci]
    cols.push(s.reshape(s.transpose(sel, [3, 1, 0, 2]), [ci, hp, 1, n * g.outW]));
  }
  const xs = cols.length === 1 ? cols[0]! : s.run('Concat', cols, { axis: 0 }); // [KW·Ci, Hp, 1, N·OW]
  const f = s.reshape(s.transpose(dy, [1, 0, 2, 3]), [g.outH, 1, n * g.outW, co]);
  const out = s.run('Conv2D', { x: xs, filter: f }, {
    strides: [g.dilationH, 1],
    dilations: [g.strideH, 1],
    pad: 'valid',
    dataFormat: 'NHWC',
    dimRoundingMode: 'floor',
  } as never); // [KW·Ci, KH, 1, Co]
  return s.transpose(s.reshape(out, [g.kw, ci, g.kh, co]), [2, 0, 1, 3]);
}

/**
 * dW of a stride-1, dilation-1 conv as one matrix product per filter tap, over a flattened padded
 * grid: with x padded to `[N, Hp, Wp, Ci]` (`Hp = OH + KH − 1`) and dy zero-extended to the same
 * grid, pixel `q` of dy meets pixel `q + kh·Wp + kw` of x for tap `(kh, kw)` (no row ever wraps:
 * the extra columns of dy are zero). So `dW[kh, kw] = X[kh·Wp+kw : +L]ᵀ · dY` with `L = N·Hp·Wp`:
 * a `[Ci, L] · [L, Co]` product whose long contraction XNNPACK's GEMM runs well, where the conv
 * forms sum only N (or N·OW) values per tap.
 * @returns `[KH, KW, Ci, Co]` (owned by the scope)
 */
export function conv2dFilterGradGemm(s: KernelScope, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const [n, h, w, ci] = x.shape as [number, number, number, number];
  const co = dy.shape[3]!;
  const hp = g.outH + g.kh - 1;
  const wp = g.outW + g.kw - 1;
  const len = n * hp * wp;
  const off = (g.kh - 1) * wp + (g.kw - 1);
  const bottom = hp - g.padTop - h;
  const right = wp - g.padLeft - w;
  const xc = s.slice(x, [0, 0, 0, 0], [n, h + Math.min(0, bottom), w + Math.min(0, right), ci]);
  const xp = s.run('PadV2', { x: xc }, { paddings: [[0, 0], [g.padTop, Math.max(0, bottom)], [g.padLeft, Math.max(0, right)], [0, 0]], constantValue: 0 });
  // [Ci, L + off]: the last taps read `off` columns past the grid (only where dy is zero).
  const xt = s.run('PadV2', { x: s.transpose(s.reshape(xp, [len, ci]), [1, 0]) }, { paddings: [[0, 0], [0, off]], constantValue: 0 });
  const dyp = g.outH === hp && g.outW === wp
    ? dy
    : s.run('PadV2', { x: dy }, { paddings: [[0, 0], [0, hp - g.outH], [0, wp - g.outW], [0, 0]], constantValue: 0 });
  const b = s.reshape(dyp, [1, len, co]);
  const taps: TensorInfo[] = [];
  for (let kh = 0; kh < g.kh; kh++) {
    for (let kw = 0; kw < g.kw; kw++) {
      // One tap at a time, so only one [Ci, L] slice is alive.
      const t = new KernelScope(s.backend, s.backendName);
      try {
        const a = t.reshape(t.slice(xt, [0, kh * wp + kw], [ci, len]), [1, ci, len]);
        taps.push(s.own(t.keep(t.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }))));
      } finally {
        t.dispose();
      }
    }
  }
  const cat = taps.length === 1 ? taps[0]! : s.run('Concat', taps, { axis: 0 });
  return s.reshape(cat, [g.kh, g.kw, ci, co]);
}

/**
 * Whether {@link conv2dFilterGradGemm} applies and pays: stride 1, dilation 1, and enough channels
 * for the GEMM (measured on this machine kind, min of 9, loaded: at 24×24 and batch 8 32→32 took
 * 5.9 vs 15.2 ms and 48→48 13.3 vs 25.0 ms; the RetinaNet head's 256→256 at 64×64, batch 2, 2.8 vs
 * 5.6 s; with 16 channels both forms cost the same).
 */
function useGemm(x: TensorInfo, dy: TensorInfo, g: ConvGeometry): boolean {
  const unit = g.strideH === 1 && g.strideW === 1 && g.dilationH === 1 && g.dilationW === 1;
  return unit && x.shape[3]! >= 32 && dy.shape[3]! >= 32 && g.kh * g.kw > 1;
}

function conv2DBackpropFilterWasm(args: { inputs: { x?: TensorInfo; dy?: TensorInfo }; backend: KernelBackend; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs;
  const fmt = backend_util.convertConv2DDataFormat(dataFormat);
  if (fmt !== 'channelsLast') throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, fmt);
  const s = new KernelScope(args.backend, 'wasm');
  try {
    const g = geometryOf(info);
    // Measured (wasm, 2-core machine): the folded form is 3–15% faster at batch ≤ 2 and 2.5× for
    // 1×1 filters; the plain form is 10–60% faster at batch 8 with 3×3 filters.
    if (useGemm(x, dy, g)) return s.keep(conv2dFilterGradGemm(s, x, dy, g));
    const folded = x.shape[0]! <= 4 || g.kh * g.kw === 1;
    return s.keep(folded ? conv2dFilterGradFolded(s, x, dy, g) : conv2dFilterGrad(s, x, dy, g));
  } finally {
    s.dispose();
  }
}

/** Kernel config: `Conv2DBackpropFilter` on wasm. */
export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterWasm as unknown as KernelFunc,
};
