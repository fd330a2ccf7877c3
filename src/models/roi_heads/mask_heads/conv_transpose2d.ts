/**
 * @module Port of `torch.nn.ConvTranspose2d` (stride = kernel, no padding: the "deconv" upsample
 * of mmdet's FCNMaskHead).
 *
 * Porting note: only `kernel_size == stride`, `padding 0`, `output_padding 0` — the form mmdet's
 * mask heads build (`upsample_cfg=dict(type='deconv', scale_factor=2)`); then the output is exactly
 * `stride` times the input. The weight is stored `[kh, kw, out, in]` (tfjs `conv2dTranspose`);
 * torch's `[in, out, kh, kw]` maps to it by the same axis permutation as a Conv2d filter, so the
 * `conv2d` parameter layout converts checkpoints both ways.
 */
import { tf } from '../../../backend/index.js';
import { Module } from '../../../nn/module.js';
import { torchDefaultInit } from '../../../nn/weight_init.js';
import { ValueError } from '../../../utils/errors.js';
import type { Rng } from '../../../utils/rng.js';

/** Options of {@link ConvTranspose2d} (PyTorch's constructor arguments). */
export interface ConvTranspose2dOptions {
  in_channels: number;
  out_channels: number;
  kernel_size: number;
  /** Must equal `kernel_size`. */
  stride: number;
  bias?: boolean;
}

/** Transposed convolution with stride = kernel: `[N, H, W, in]` → `[N, sH, sW, out]`. */
export class ConvTranspose2d extends Module {
  static override readonly torchName: string = 'ConvTranspose2d';
  static override readonly torchBases: readonly string[] = ['_ConvTransposeNd'];
  readonly in_channels: number;
  readonly out_channels: number;
  readonly kernel_size: number;
  readonly stride: number;
  /** `[k, k, out, in]`. */
  readonly weight: tf.Variable;
  /** `[out]` or null. */
  readonly bias: tf.Variable | null;

  /** @throws ValueError `NN_BAD_ARG` unless `stride === kernel_size` and the sizes are positive ints */
  constructor(options: ConvTranspose2dOptions) {
    super();
    const { in_channels, out_channels, kernel_size, stride, bias = true } = options;
    if (![in_channels, out_channels, kernel_size].every((v) => Number.isInteger(v) && v > 0) || stride !== kernel_size) {
      throw new ValueError('NN_BAD_ARG', `ConvTranspose2d: positive int sizes with stride == kernel_size are supported, got ${JSON.stringify(options)}`);
    }
    this.in_channels = in_channels;
    this.out_channels = out_channels;
    this.kernel_size = kernel_size;
    this.stride = stride;
    this.weight = this.addParameter('weight', tf.zeros([kernel_size, kernel_size, out_channels, in_channels]), { layout: 'conv2d' });
    this.bias = bias ? this.addParameter('bias', tf.zeros([out_channels])) : null;
  }

  override get hasInitWeights(): boolean {
    return false;
  }

  override resetParameters(rng: Rng): void {
    torchDefaultInit(this, rng);
  }

  /** @param x `[N, H, W, in]` @returns `[N, sH, sW, out]` (owned by the caller) */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const [n, h, w] = x.shape;
      const y = tf.conv2dTranspose(x, this.weight as tf.Tensor4D, [n, h * this.stride, w * this.stride, this.out_channels], this.stride, 'valid');
      return this.bias === null ? y : (y.add(this.bias) as tf.Tensor4D);
    });
  }
}
