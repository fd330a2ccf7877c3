/**
 * @module `Conv2DBackpropFilter` for the wasm backend (tfjs-backend-wasm 4.22 has none), expressed
 * as one forward XNNPACK `Conv2D`.
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

function conv2DBackpropFilterWasm(args: { inputs: { x?: TensorInfo; dy?: TensorInfo }; backend: KernelBackend; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs;
  const fmt = backend_util.convertConv2DDataFormat(dataFormat);
  if (fmt !== 'channelsLast') throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, fmt);
  const s = new KernelScope(args.backend, 'wasm');
  try {
    return s.keep(conv2dFilterGrad(s, x, dy, geometryOf(info)));
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
