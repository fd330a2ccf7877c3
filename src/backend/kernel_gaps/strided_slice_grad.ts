/**
 * @module The `StridedSlice` gradient, missing in tfjs-core 4.22 (TensorFlow's `StridedSliceGrad`).
 *
 * The slice picks, on each axis, `n` elements from `start` with step `s`. Its gradient puts `dy`
 * back there and zeros elsewhere: per axis, reverse when `s < 0`, insert `|s| − 1` zeros between
 * elements, then pad to the input length.
 */
import { pad, reshape, reverse, slice, slice_util, StridedSlice, zeros } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, StridedSliceAttrs, Tensor } from '@tensorflow/tfjs-core';

/** Inserts `s − 1` zeros between the elements of `g` along `axis` (length n → (n−1)·s + 1). */
function spread(g: Tensor, axis: number, s: number): Tensor {
  if (s === 1) return g;
  const shape = g.shape;
  const n = shape[axis]!;
  const withStep = reshape(g, [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)]);
  const padded = pad(withStep, withStep.shape.map((_, i) => (i === axis + 1 ? [0, s - 1] : [0, 0])) as Array<[number, number]>);
  const merged = reshape(padded, [...shape.slice(0, axis), n * s, ...shape.slice(axis + 1)]);
  return slice(merged, merged.shape.map(() => 0), merged.shape.map((d, i) => (i === axis ? (n - 1) * s + 1 : d)));
}

/** Gradient config for `StridedSlice` (all backends). */
export const stridedSliceGradConfig: GradConfig = {
  kernelName: StridedSlice,
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved as [Tensor];
    const a = attrs as unknown as StridedSliceAttrs;
    const info = slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, a.ellipsisMask, a.newAxisMask, a.shrinkAxisMask);
    return {
      x: () => {
        const counts = x.shape.map((_, i) => Math.max(0, Math.ceil((info.end[i]! - info.begin[i]!) / info.strides[i]!)));
        if (counts.some((c) => c === 0)) return zeros(x.shape);
        let g = reshape(dy as Tensor, counts);
        const paddings: Array<[number, number]> = [];
        for (let i = 0; i < x.shape.length; i++) {
          const s = info.strides[i]!;
          const start = s > 0 ? info.begin[i]! : info.begin[i]! + (counts[i]! - 1) * s;
          if (s < 0) g = reverse(g, i);
          g = spread(g, i, Math.abs(s));
          const len = (counts[i]! - 1) * Math.abs(s) + 1;
          paddings.push([start, x.shape[i]! - start - len]);
        }
        return pad(g, paddings);
      },
    };
  },
};
