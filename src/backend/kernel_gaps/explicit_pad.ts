/**
 * @module Numeric `pad` → explicit padding, in front of every conv and pool kernel (cpu and wasm).
 *
 * tfjs 4.22's `computeConv2DInfo` sizes a numeric pad's output width with the filter *height* and
 * stride *height* (`conv2d(x[1,9,8,3], w[2,3,3,2], [2,1], 1)` yields width 5 instead of 8). On cpu
 * that is a wrong result; on wasm XNNPACK then writes past the output buffer and corrupts the heap
 * ("memory access out of bounds" later, anywhere). A numeric pad p means p on every side, so each
 * kernel here receives `[[0,0],[p,p],[p,p],[0,0]]` instead, which tfjs handles correctly.
 * Porting note: numeric pads with `dimRoundingMode` other than floor are left alone (explicit
 * pads have no rounding mode).
 */
import {
  AvgPool, AvgPoolGrad, Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropFilter, DepthwiseConv2dNativeBackpropInput, FusedConv2D,
  FusedDepthwiseConv2D, getKernel, MaxPool, MaxPoolGrad, registerKernel, unregisterKernel,
} from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap } from '@tensorflow/tfjs-core';

/** Kernels whose `pad` attribute goes through `computeConv2DInfo`/`computePool2DInfo`. */
export const PADDED_KERNELS: readonly string[] = [
  Conv2D, FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter, DepthwiseConv2dNative, FusedDepthwiseConv2D,
  DepthwiseConv2dNativeBackpropInput, DepthwiseConv2dNativeBackpropFilter, MaxPool, MaxPoolGrad, AvgPool, AvgPoolGrad,
];

/** `attrs` with a numeric `pad` made explicit (same object when nothing changes). */
export function explicitPadAttrs(attrs: NamedAttrMap): NamedAttrMap {
  const p = attrs.pad;
  const mode = attrs.dimRoundingMode;
  if (typeof p !== 'number' || (mode !== undefined && mode !== null && mode !== 'floor')) return attrs;
  return { ...attrs, pad: [[0, 0], [p, p], [p, p], [0, 0]] as unknown as number[] };
}

const wrapped = new Set<string>();

/**
 * Re-registers each of {@link PADDED_KERNELS} on `backendName` behind {@link explicitPadAttrs}.
 * Idempotent per backend; call after every other registration for that backend.
 */
export function wrapNumericPads(backendName: string): void {
  for (const name of PADDED_KERNELS) {
    const key = `${backendName}/${name}`;
    const k = getKernel(name, backendName);
    if (k === undefined || wrapped.has(key)) continue;
    wrapped.add(key);
    const inner = k.kernelFunc;
    const config: KernelConfig = {
      kernelName: name,
      backendName,
      kernelFunc: ((args: Parameters<KernelFunc>[0]) => inner({ ...args, attrs: explicitPadAttrs(args.attrs ?? {}) })) as KernelFunc,
      ...(k.setupFunc !== undefined ? { setupFunc: k.setupFunc } : {}),
      ...(k.disposeFunc !== undefined ? { disposeFunc: k.disposeFunc } : {}),
    };
    unregisterKernel(name, backendName);
    registerKernel(config);
  }
}
