/**
 * @module `Conv2D` for the wasm backend: 3×3 stride-1 convs large enough to pay off go through
 * Winograd F(2×2, 3×3) (`conv2d_winograd.ts`); every other conv stays XNNPACK's direct conv. How
 * large depends on the XNNPACK thread count: the GEMMs split across threads, the tile transforms
 * do not (`WINOGRAD_MIN_TILES`).
 */
import { backend_util, Conv2D } from '@tensorflow/tfjs-core';
import type { Conv2DAttrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { wasmThreadsInUse } from '../wasm_threads.js';
import { geometryOf } from './conv2d_backprop_filter.js';
import { conv2dWinograd, winogradApplies } from './conv2d_winograd.js';
import { callReplaced, KernelScope } from './utils.js';

function conv2DWasm(args: { inputs: { x?: TensorInfo; filter?: TensorInfo }; backend: KernelBackend; attrs: Conv2DAttrs }): TensorInfo {
  const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dilations, dimRoundingMode } = args.attrs;
  const fmt = backend_util.convertConv2DDataFormat(dataFormat);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number],
    strides, dilations, pad, dimRoundingMode, false, fmt);
  const g = geometryOf(info);
  if (fmt !== 'channelsLast' || x.dtype !== 'float32' || !winogradApplies(g, info.batchSize, info.inChannels, info.outChannels, 'forward', wasmThreadsInUse())) {
    return callReplaced(Conv2D, args) as TensorInfo;
  }
  const s = new KernelScope(args.backend, 'wasm');
  try {
    return s.keep(conv2dWinograd(s, x, filter, g));
  } finally {
    s.dispose();
  }
}

/** Kernel config: `Conv2D` on wasm (replaces the backend's kernel). */
export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2DWasm as unknown as KernelFunc,
};
