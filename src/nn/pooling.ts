/**
 * @module Port of `torch.nn.MaxPool2d` (NHWC), as used by ResNet's stem (3×3, stride 2, pad 1).
 *
 * Padded positions never win the max (PyTorch pads with −∞). `ceil_mode` follows PyTorch's output
 * size rule, including "the last window must start inside the input or its left padding".
 * Porting note: `dilation` must be 1 (tfjs pooling has no dilation with stride > 1).
 */
import { tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';
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
