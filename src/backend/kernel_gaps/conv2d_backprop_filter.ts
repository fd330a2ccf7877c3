/**
 * @module `Conv2DBackpropFilter` for the wasm backend (tfjs-backend-wasm 4.22 has none), as XNNPACK
 * GEMMs (its fully-connected operator, through the wasm `BatchMatMul`) over operands laid out by
 * one JS pass: shifted windows of the input's phase planes (`conv2d_filter_gemm.ts`), or, on small
 * maps, one transposed im2col (`conv2d_filter_im2col.ts`).
 *
 * For a conv `y = conv(x, W)` with stride s, dilation d and padding (pt, pl):
 * `dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh·d − pt, ow·s + kw·d − pl, ci] · dy[n,oh,ow,co]`,
 * a contraction over `L = N·OH·OW` per tap. An earlier form ran it as one forward conv (x seen as
 * `[Ci, H, W, N]`, dy as the filter `[OH, OW, N, Co]`), whose taps sum only N (or N·OW) values
 * each; XNNPACK ran that at a third to a half of the forward conv's speed.
 */
import { backend_util, Conv2DBackpropFilter } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { wasmThreadsInUse } from '../wasm_threads.js';
import { conv2dFilterGradGemm, planOf } from './conv2d_filter_gemm.js';
import { conv2dFilterGradIm2col } from './conv2d_filter_im2col.js';
import { conv2dFilterGradWinograd, winogradApplies } from './conv2d_winograd.js';
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
 * Largest im2col (floats) {@link useIm2col} allows: 16 MB.
 */
const IM2COL_MAX_FLOATS = 4 * 1024 * 1024;

/**
 * Whether the im2col form (`conv2d_filter_im2col.ts`) beats the shifted-window GEMMs
 * (`conv2d_filter_gemm.ts`): the windows run over the grid extended by the largest tap shift, so
 * they multiply `(ext − 1)·L·KK·Ci·Co` zeros (`ext` = extended / real grid), where im2col copies
 * `KK·Ci·L` values instead. Measured on this machine kind (one thread, min of 15): im2col wins
 * once `(ext − 1)·Co > 31`: `[4,6,6,128]` 3×3 1.89 vs 2.65 ms, `[4,6,6,48]` 0.40 vs 0.45 ms; the
 * windows win at `[4,12,12,48]` (17: 1.26 vs 1.43 ms) and `[4,12,12,64]` (23: 2.12 vs 2.31 ms).
 */
function useIm2col(x: TensorInfo, dy: TensorInfo, g: ConvGeometry): boolean {
  const { ext } = planOf(x.shape, dy.shape[3]!, g);
  const size = g.kh * g.kw * x.shape[3]! * x.shape[0]! * g.outH * g.outW;
  return (ext - 1) * dy.shape[3]! > 31 && size <= IM2COL_MAX_FLOATS;
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
    if (winogradApplies(g, x.shape[0]!, x.shape[3]!, dy.shape[3]!, 'filter', wasmThreadsInUse())) return s.keep(conv2dFilterGradWinograd(s, x, dy, g));
    return s.keep(useIm2col(x, dy, g) ? conv2dFilterGradIm2col(s, x, dy, g) : conv2dFilterGradGemm(s, x, dy, g));
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
