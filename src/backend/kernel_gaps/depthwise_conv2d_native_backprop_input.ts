/**
 * @module `DepthwiseConv2dNativeBackpropInput` for the wasm backend (tfjs-backend-wasm 4.22 has
 * none), expressed as one forward XNNPACK `DepthwiseConv2dNative`.
 *
 * Same transposition as `conv2d_backprop_input.ts`, per channel: `dy` (`[N, OH, OW, C·M]`) is
 * zero-upsampled by the stride and depthwise-convolved (multiplier 1) with the 180°-rotated filter
 * viewed as `[KH, KW, C·M, 1]`; with a channel multiplier M > 1 the M outputs of each input
 * channel are then summed.
 */
import { backend_util, DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { geometryOf } from './conv2d_backprop_filter.js';
import { zeroUpsample } from './conv2d_backprop_input.js';
import { KernelScope } from './utils.js';

function depthwiseBackpropInputWasm(args: {
  inputs: { dy?: TensorInfo; filter?: TensorInfo };
  backend: KernelBackend;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, dilations, pad, dimRoundingMode, inputShape } = args.attrs;
  const [kh, kw, c, m] = filter.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(
    inputShape, [kh, kw, c, m], strides, dilations ?? [1, 1], pad, dimRoundingMode, true);
  const g = geometryOf(info);
  const s = new KernelScope(args.backend, 'wasm');
  try {
    const up = zeroUpsample(s, dy, g.strideH, g.strideW);
    const [n, lh, lw, cm] = up.shape as [number, number, number, number];
    const before = [(kh - 1) * g.dilationH - g.padTop, (kw - 1) * g.dilationW - g.padLeft];
    const after = [g.inH - lh + g.padTop, g.inW - lw + g.padLeft];
    const crop0 = before.map((b) => Math.max(0, -b));
    const keep = [lh - crop0[0]! - Math.max(0, -after[0]!), lw - crop0[1]! - Math.max(0, -after[1]!)];
    const u = s.slice(up, [0, crop0[0]!, crop0[1]!, 0], [n, keep[0]!, keep[1]!, cm]);
    const rot = s.reshape(s.run('Reverse', { x: filter }, { dims: [0, 1] }), [kh, kw, c * m, 1]);
    const out = s.run('DepthwiseConv2dNative', { x: u, filter: rot }, {
      strides: [1, 1],
      dilations: [g.dilationH, g.dilationW],
      pad: [[0, 0], [Math.max(0, before[0]!), Math.max(0, after[0]!)], [Math.max(0, before[1]!), Math.max(0, after[1]!)], [0, 0]],
      dimRoundingMode: 'floor',
    } as never); // [N, H, W, C·M]
    if (m === 1) return s.keep(out);
    const r = s.reshape(out, [n, g.inH, g.inW, c, m]);
    return s.keep(s.run('Sum', { x: r }, { axis: [4], keepDims: false }));
  } finally {
    s.dispose();
  }
}

/** Kernel config: `DepthwiseConv2dNativeBackpropInput` on wasm. */
export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInputWasm as unknown as KernelFunc,
};
