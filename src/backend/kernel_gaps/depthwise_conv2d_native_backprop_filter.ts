/**
 * @module `DepthwiseConv2dNativeBackpropFilter` for the wasm backend (tfjs-backend-wasm 4.22 has
 * none), expressed as one forward XNNPACK `DepthwiseConv2dNative` and a sum.
 *
 * `dW[kh,kw,c,m] = Σ_{n,oh,ow} x[n, oh·s + kh·d − pt, ow·s + kw·d − pl, c] · dy[n,oh,ow,c·M+m]`.
 * Viewing x as one image `[1, H, W, N·C]` (channel `n·C+c`) and dy as a depthwise filter
 * `[OH, OW, N·C, M]`, a depthwise conv with stride d and dilation s gives `[1, KH, KW, N·C·M]`;
 * summing over n gives dW.
 */
import { backend_util, DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { geometryOf } from './conv2d_backprop_filter.js';
import { KernelScope } from './utils.js';

function depthwiseBackpropFilterWasm(args: {
  inputs: { x?: TensorInfo; dy?: TensorInfo };
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, filterShape } = args.attrs;
  const [kh, kw, c, m] = filterShape;
  const [n, h, w] = x.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, dilations ?? [1, 1], pad, dimRoundingMode, true);
  const g = geometryOf(info);
  const s = new KernelScope(args.backend, 'wasm');
  try {
    const bottom = (g.outH - 1) * g.strideH + (kh - 1) * g.dilationH - g.padTop - (h - 1);
    const right = (g.outW - 1) * g.strideW + (kw - 1) * g.dilationW - g.padLeft - (w - 1);
    let xi = s.reshape(s.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]);
    xi = s.slice(xi, [0, 0, 0, 0], [1, h + Math.min(0, bottom), w + Math.min(0, right), n * c]);
    const f5 = s.transpose(s.reshape(dy, [n, g.outH, g.outW, c, m]), [1, 2, 0, 3, 4]);
    const f = s.reshape(f5, [g.outH, g.outW, n * c, m]);
    const out = s.run('DepthwiseConv2dNative', { x: xi, filter: f }, {
      strides: [g.dilationH, g.dilationW],
      dilations: [g.strideH, g.strideW],
      pad: [[0, 0], [g.padTop, Math.max(0, bottom)], [g.padLeft, Math.max(0, right)], [0, 0]],
      dimRoundingMode: 'floor',
    } as never); // [1, KH, KW, N·C·M]
    const summed = s.run('Sum', { x: s.reshape(out, [kh, kw, n, c * m]) }, { axis: [2], keepDims: false });
    return s.keep(s.reshape(summed, [kh, kw, c, m]));
  } finally {
    s.dispose();
  }
}

/** Kernel config: `DepthwiseConv2dNativeBackpropFilter` on wasm. */
export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilterWasm as unknown as KernelFunc,
};
