/**
 * @module The `Conv2D` gradient, extended to dilated convs (tfjs 4.22's own asserts dilation 1).
 *
 * A conv with dilation d equals a conv with the zero-dilated filter `Wd` (size `(K−1)·d+1`, `W` at
 * every d-th tap). So `dx = conv2DBackpropInput(dy, Wd)` and `dW = conv2DBackpropFilter(x, dy)`
 * taken at every d-th tap. Undilated convs take exactly tfjs' path. Works on every backend (the
 * cpu backend serves as the reference in tests). NCHW is not supported with dilation.
 */
import { Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, engine, pad, reshape, slice, stridedSlice } from '@tensorflow/tfjs-core';
import type { Conv2DAttrs, GradConfig, NamedAttrMap, Tensor, Tensor4D } from '@tensorflow/tfjs-core';

type Shape4 = [number, number, number, number];
type ConvOpts = Pick<Conv2DAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>;

// tfjs-core does not export its conv2DBackpropInput/Filter ops; these run the same kernels.
function conv2DBackpropInput(xShape: Shape4, dy: Tensor4D, filter: Tensor4D, o: ConvOpts): Tensor4D {
  const attrs = { ...o, inputShape: xShape } as unknown as NamedAttrMap;
  return engine().runKernel(Conv2DBackpropInput, { dy, filter }, attrs) as Tensor4D;
}

function conv2DBackpropFilter(x: Tensor4D, dy: Tensor4D, filterShape: Shape4, o: ConvOpts): Tensor4D {
  const attrs = { ...o, filterShape } as unknown as NamedAttrMap;
  return engine().runKernel(Conv2DBackpropFilter, { x, dy }, attrs) as Tensor4D;
}

/**
 * Zero-dilates a filter: `[KH, KW, Ci, Co]` → `[(KH−1)·dh+1, (KW−1)·dw+1, Ci, Co]`.
 * @param filter HWIO filter
 */
export function dilateFilter(filter: Tensor4D, dh: number, dw: number): Tensor4D {
  const [kh, kw, ci, co] = filter.shape;
  const r = reshape(filter, [kh, 1, kw, 1, ci, co]);
  const p = pad(r, [[0, 0], [0, dh - 1], [0, 0], [0, dw - 1], [0, 0], [0, 0]]);
  const full = reshape(p, [kh * dh, kw * dw, ci, co]);
  return slice(full, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co]) as Tensor4D;
}

function pair(v: number | [number, number]): [number, number] {
  return typeof v === 'number' ? [v, v] : v;
}

/** Gradient config for `Conv2D` with dilation support (registered for all backends). */
export const conv2DGradConfig: GradConfig = {
  kernelName: Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, filter] = saved as [Tensor4D, Tensor4D];
    const { dilations, strides, pad: padding, dataFormat, dimRoundingMode } = attrs as unknown as Conv2DAttrs;
    const o: ConvOpts = { strides, pad: padding, dataFormat, dimRoundingMode } as ConvOpts;
    const dy4 = dy as Tensor4D;
    const [dh, dw] = pair(dilations);
    if (dh === 1 && dw === 1) {
      return {
        x: () => conv2DBackpropInput(x.shape, dy4, filter, o),
        filter: () => conv2DBackpropFilter(x, dy4, filter.shape, o),
      };
    }
    if (dataFormat === 'NCHW') throw new Error("Gradient of a dilated Conv2D supports dataFormat 'NHWC' only");
    return {
      x: () => conv2DBackpropInput(x.shape, dy4, dilateFilter(filter, dh, dw), o),
      filter: () => {
        const [kh, kw, ci, co] = filter.shape;
        const wd: Shape4 = [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co];
        const g = conv2DBackpropFilter(x, dy4, wd, o);
        return stridedSlice(g, [0, 0, 0, 0], wd, [dh, dw, 1, 1]);
      },
    };
  },
};
