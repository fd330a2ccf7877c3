/**
 * @module A fast `Conv2DBackpropInput` for the wasm backend, expressed as one forward XNNPACK
 * `Conv2D` (the wasm backend's own kernel is a scalar loop: 656 ms vs 49 ms on 64→64, 128²).
 *
 * For `y = conv(x, W)` with stride s, dilation d, padding (pt, pl):
 * `dx[h] = Σ_{oh,kh : oh·s + kh·d − pt = h} dy[oh] · W[kh]`. With `dy` zero-upsampled by s
 * (`u[oh·s] = dy[oh]`, zeros elsewhere) and the filter rotated 180° with in/out channels swapped
 * (`R[k] = W[K−1−k]ᵀ`), that is a stride-1 conv of `u` with `R`, dilation d, top padding
 * `(K−1)·d − pt` and bottom padding `H − len(u) + pt` (negative paddings become crops).
 */
import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelBackend, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { geometryOf, type ConvGeometry } from './conv2d_backprop_filter.js';
import { KernelScope } from './utils.js';

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
 * Pads for a stride-1 conv over `len` rows that reproduces the transposed conv; a negative pad is
 * returned as a crop of the input instead.
 */
function transposedPads(len: number, inSize: number, k: number, d: number, padBefore: number) {
  const before = (k - 1) * d - padBefore;
  const after = inSize - len + padBefore;
  return {
    cropStart: Math.max(0, -before),
    keep: len - Math.max(0, -before) - Math.max(0, -after),
    pads: [Math.max(0, before), Math.max(0, after)] as [number, number],
  };
}

/** `[KH, KW, Ci, Co]` → rotated 180° with in/out swapped, `[KH, KW, Co, Ci]`. */
function rotateFilter(s: KernelScope, filter: TensorInfo): TensorInfo {
  return s.transpose(s.run('Reverse', { x: filter }, { dims: [0, 1] }), [0, 1, 3, 2]);
}

/**
 * dx of a stride-1 conv (any dilation) as one forward conv.
 * @param dy `[N, OH, OW, Co]`; @param filter `[KH, KW, Ci, Co]`
 * @returns `[N, H, W, Ci]` (owned by the scope)
 */
function inputGradStride1(s: KernelScope, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const [n, lh, lw, co] = dy.shape as [number, number, number, number];
  const ph = transposedPads(lh, g.inH, g.kh, g.dilationH, g.padTop);
  const pw = transposedPads(lw, g.inW, g.kw, g.dilationW, g.padLeft);
  const u = s.slice(dy, [0, ph.cropStart, pw.cropStart, 0], [n, ph.keep, pw.keep, co]);
  return s.run('Conv2D', { x: u, filter: rotateFilter(s, filter) }, {
    strides: [1, 1],
    dilations: [g.dilationH, g.dilationW],
    pad: [[0, 0], ph.pads, pw.pads, [0, 0]],
    dataFormat: 'NHWC',
    dimRoundingMode: 'floor',
  } as never);
}

/** One output phase `p` (rows `h ≡ p mod stride`) of a strided transposed conv along one axis. */
interface Phase {
  /** First filter tap of this phase (`a`); taps are `a, a+s, …`. */
  tap0: number;
  /** Number of taps `T` (0: the phase gets no contribution). */
  taps: number;
  /** Conv pads on dy (a negative value is a crop). */
  before: number;
  after: number;
}

function phaseOf(p: number, stride: number, k: number, padBefore: number, outLen: number, phaseLen: number): Phase {
  const tap0 = (p + padBefore) % stride;
  const taps = tap0 < k ? Math.ceil((k - tap0) / stride) : 0;
  const c = Math.floor((p + padBefore) / stride);
  return { tap0, taps, before: taps - 1 - c, after: phaseLen + c - outLen };
}

/**
 * dx of a strided conv (dilation 1) by sub-pixel decomposition: output rows `h = j·s + p` only
 * see filter taps `kh ≡ (p + pt) mod s`, so each of the s² phases is a small stride-1 conv of dy
 * (no zero-inserted rows: s² times fewer multiply-adds than convolving the upsampled dy). The
 * phases are concatenated on channels and interleaved by one transpose.
 */
function inputGradStrided(s: KernelScope, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const [n, oh, ow, co] = dy.shape as [number, number, number, number];
  const ci = filter.shape[2]!;
  const sh = g.strideH;
  const sw = g.strideW;
  if (sh !== sw) {
    // DepthToSpace interleaves square blocks only; unequal strides take the upsampling path.
    return inputGradStride1(s, zeroUpsample(s, dy, sh, sw), filter, { ...g, strideH: 1, strideW: 1 });
  }
  const jh = Math.ceil(g.inH / sh);
  const jw = Math.ceil(g.inW / sw);
  const parts: TensorInfo[] = [];
  for (let ph = 0; ph < sh; ph++) {
    const rh = phaseOf(ph, sh, g.kh, g.padTop, oh, jh);
    for (let pw = 0; pw < sw; pw++) {
      const rw = phaseOf(pw, sw, g.kw, g.padLeft, ow, jw);
      if (rh.taps === 0 || rw.taps === 0) {
        parts.push(s.run('Fill', {}, { shape: [n, jh, jw, ci], value: 0, dtype: 'float32' }));
        continue;
      }
      const sub = s.run('StridedSlice', { x: filter }, {
        begin: [rh.tap0, rw.tap0, 0, 0],
        end: [rh.tap0 + (rh.taps - 1) * sh + 1, rw.tap0 + (rw.taps - 1) * sw + 1, ci, co],
        strides: [sh, sw, 1, 1],
        beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
      });
      const cropT = Math.max(0, -rh.before);
      const cropL = Math.max(0, -rw.before);
      const u = s.slice(dy, [0, cropT, cropL, 0], [n, oh - cropT - Math.max(0, -rh.after), ow - cropL - Math.max(0, -rw.after), co]);
      parts.push(s.run('Conv2D', { x: u, filter: rotateFilter(s, sub) }, {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [[0, 0], [Math.max(0, rh.before), Math.max(0, rh.after)], [Math.max(0, rw.before), Math.max(0, rw.after)], [0, 0]],
        dataFormat: 'NHWC',
        dimRoundingMode: 'floor',
      } as never));
    }
  }
  // Interleave: channel block (ph·s + pw) of phase pixel (j, jw) goes to (j·s + ph, jw·s + pw).
  // A transpose, not `DepthToSpace`: wasm's is a scalar loop (168 ms vs ~3 ms at 8×64×64×32).
  const cat = s.reshape(s.run('Concat', parts, { axis: 3 }), [n, jh, jw, sh, sw, ci]);
  const full = s.reshape(s.transpose(cat, [0, 1, 3, 2, 4, 5]), [n, jh * sh, jw * sw, ci]);
  return s.slice(full, [0, 0, 0, 0], [n, g.inH, g.inW, ci]);
}

/**
 * dx of a conv as forward convs, on the scope's backend.
 * @param dy output gradient `[N, OH, OW, Co]`
 * @param filter forward filter `[KH, KW, Ci, Co]`
 * @returns `[N, H, W, Ci]` (owned by the scope)
 */
export function conv2dInputGrad(s: KernelScope, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  if (g.strideH === 1 && g.strideW === 1) return inputGradStride1(s, dy, filter, g);
  if (g.dilationH !== 1 || g.dilationW !== 1) {
    return inputGradStride1(s, zeroUpsample(s, dy, g.strideH, g.strideW), filter, { ...g, strideH: 1, strideW: 1 });
  }
  return inputGradStrided(s, dy, filter, g);
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
