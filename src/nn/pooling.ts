/**
 * @module Ports of `torch.nn.MaxPool2d` and `torch.nn.AvgPool2d` (NHWC): ResNet's stem pooling
 * (3×3, stride 2, pad 1) and the `avg_down` shortcut pooling (kernel = stride, `ceil_mode`).
 *
 * Padded positions never win the max (PyTorch pads with −∞). `ceil_mode` follows PyTorch's output
 * size rule, including "the last window must start inside the input or its left padding".
 * Porting notes: `dilation` must be 1 (tfjs pooling has no dilation with stride > 1). AvgPool2d
 * supports `padding = 0` only; windows cut by `ceil_mode` are averaged over their valid pixels, as
 * PyTorch does.
 */
import { tf } from '../backend/index.js';
import { DetkitError, ValueError } from '../utils/errors.js';
import { pair, type IntOrPair } from './conv2d.js';
import { Module } from './module.js';

/** Options of {@link MaxPool2d} (PyTorch's names and defaults). */
export interface MaxPool2dOptions {
  kernel_size: IntOrPair;
  /** Default `kernel_size`. */
  stride?: IntOrPair | null;
  /** Default 0; at most half the kernel size. */
  padding?: IntOrPair;
  /** Only 1. */
  dilation?: IntOrPair;
  /** Round output sizes up. Default false. */
  ceil_mode?: boolean;
}

/** PyTorch's pooling output size for one dimension. */
export function poolOutputSize(size: number, k: number, s: number, p: number, ceil: boolean): number {
  const span = size + 2 * p - k;
  let out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  if (ceil && (out - 1) * s >= size + p) out -= 1;
  return out;
}

/**
 * Max pooling over `[N, H, W, C]`.
 * @example new MaxPool2d({ kernel_size: 3, stride: 2, padding: 1 }) // ResNet stem: 32×32 → 16×16
 */
export class MaxPool2d extends Module {
  static override readonly torchName: string = 'MaxPool2d';
  static override readonly torchBases: readonly string[] = ['_MaxPoolNd'];

  readonly kernel_size: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly ceil_mode: boolean;

  /** @throws ValueError `NN_BAD_ARG` for padding over half the kernel or dilation ≠ 1 */
  constructor(options: MaxPool2dOptions) {
    super();
    this.kernel_size = pair(options.kernel_size, 'kernel_size');
    this.stride = pair(options.stride ?? options.kernel_size, 'stride');
    this.padding = pair(options.padding ?? 0, 'padding');
    this.ceil_mode = options.ceil_mode ?? false;
    const [dh, dw] = pair(options.dilation ?? 1, 'dilation');
    if (dh !== 1 || dw !== 1) throw new ValueError('NN_BAD_ARG', `MaxPool2d: dilation must be 1, got ${JSON.stringify(options.dilation)}`);
    if (this.padding[0] * 2 > this.kernel_size[0] || this.padding[1] * 2 > this.kernel_size[1]) {
      throw new ValueError('NN_BAD_ARG', 'pad should be at most half of effective kernel size');
    }
  }

  override get hasInitWeights(): boolean {
    return false;
  }

  /**
   * @param x `[N, H, W, C]`
   * @returns `[N, H', W', C]` (owned by the caller)
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [, h, w] = x.shape;
      const [kh, kw] = this.kernel_size;
      const [sh, sw] = this.stride;
      const [ph, pw] = this.padding;
      const oh = poolOutputSize(h, kh, sh, ph, this.ceil_mode);
      const ow = poolOutputSize(w, kw, sw, pw, this.ceil_mode);
      const endH = Math.max(0, (oh - 1) * sh + kh - h - ph);
      const endW = Math.max(0, (ow - 1) * sw + kw - w - pw);
      const pad: number | [[number, number], [number, number], [number, number], [number, number]] =
        ph === pw && endH === ph && endW === pw ? ph : [[0, 0], [ph, endH], [pw, endW], [0, 0]];
      return tf.maxPool(x, this.kernel_size, this.stride, pad);
    });
  }
}

/** Options of {@link AvgPool2d} (PyTorch's names and defaults). */
export interface AvgPool2dOptions {
  kernel_size: IntOrPair;
  /** Default `kernel_size`. */
  stride?: IntOrPair | null;
  /** Only 0. */
  padding?: IntOrPair;
  /** Round output sizes up (the cut windows average their valid pixels). Default false. */
  ceil_mode?: boolean;
  /** Irrelevant without padding; accepted. Default true. */
  count_include_pad?: boolean;
}

/**
 * Average pooling over `[N, H, W, C]` without padding.
 * @example new AvgPool2d({ kernel_size: 2, stride: 2, ceil_mode: true, count_include_pad: false }) // ResNetV1d shortcut
 */
export class AvgPool2d extends Module {
  static override readonly torchName: string = 'AvgPool2d';
  static override readonly torchBases: readonly string[] = ['_AvgPoolNd'];

  readonly kernel_size: [number, number];
  readonly stride: [number, number];
  readonly ceil_mode: boolean;

  /** @throws DetkitError `NOT_SUPPORTED` for padding > 0 */
  constructor(options: AvgPool2dOptions) {
    super();
    this.kernel_size = pair(options.kernel_size, 'kernel_size');
    this.stride = pair(options.stride ?? options.kernel_size, 'stride');
    this.ceil_mode = options.ceil_mode ?? false;
    const [ph, pw] = pair(options.padding ?? 0, 'padding');
    if (ph !== 0 || pw !== 0) throw new DetkitError('NOT_SUPPORTED', 'AvgPool2d: padding > 0 is not supported');
  }

  override get hasInitWeights(): boolean {
    return false;
  }

  /**
   * @param x `[N, H, W, C]`
   * @returns `[N, H', W', C]` (owned by the caller)
   * @throws DetkitError `NOT_SUPPORTED` for windows cut by `ceil_mode` when kernel ≠ stride
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, h, w, c] = x.shape;
      const [kh, kw] = this.kernel_size;
      const [sh, sw] = this.stride;
      const oh = poolOutputSize(h, kh, sh, 0, this.ceil_mode);
      const ow = poolOutputSize(w, kw, sw, 0, this.ceil_mode);
      const cut = (oh - 1) * sh + kh > h || (ow - 1) * sw + kw > w;
      if (!cut) return tf.avgPool(x, this.kernel_size, this.stride, 'valid');
      if (kh !== sh || kw !== sw) {
        throw new DetkitError('NOT_SUPPORTED', 'AvgPool2d: ceil_mode windows cut by the border need kernel_size == stride');
      }
      // Non-overlapping windows: zero-pad to whole windows, sum each, divide by its valid pixel count.
      // (tfjs' AvgPoolGrad would divide cut windows by the full window size.)
      const padded = tf.pad(x, [[0, 0], [0, oh * kh - h], [0, ow * kw - w], [0, 0]]);
      const sums = tf.sum(tf.reshape(padded, [n, oh, kh, ow, kw, c]), [2, 4]);
      const counts = new Float32Array(oh * ow);
      for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) counts[i * ow + j] = (Math.min(h, (i + 1) * kh) - i * kh) * (Math.min(w, (j + 1) * kw) - j * kw);
      return tf.div(sums, tf.tensor4d(counts, [1, oh, ow, 1])) as tf.Tensor4D;
    });
  }
}
