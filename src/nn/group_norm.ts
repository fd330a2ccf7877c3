/**
 * @module Port of `torch.nn.GroupNorm` (mmcv NORM_LAYERS `GN`), NHWC.
 */
import { tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';
import { assertKnownKeys } from './config_args.js';
import { Module } from './module.js';

/** Options of {@link GroupNorm} (PyTorch's names). */
export interface GroupNormOptions {
  num_groups: number;
  num_channels: number;
  /** Default 1e-5. */
  eps?: number;
  /** Learnable per-channel `weight`/`bias`. Default true. */
  affine?: boolean;
}

/**
 * Group normalisation of `[N, H, W, C]`: channels split into `num_groups` groups of `C/G`, each
 * normalised by its own mean and biased variance over `(H, W, C/G)`; same in train and eval.
 * @example new GroupNorm({ num_groups: 32, num_channels: 256 })
 */
export class GroupNorm extends Module {
  static override readonly torchName: string = 'GroupNorm';
  /** mmcv `infer_abbr`: `gn`. */
  static readonly abbr = 'gn';

  readonly num_groups: number;
  readonly num_channels: number;
  readonly eps: number;
  readonly affine: boolean;
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;

  /** @throws ValueError `NN_BAD_ARG` when `num_channels` is not divisible by `num_groups` */
  constructor(options: GroupNormOptions) {
    super();
    assertKnownKeys('GroupNorm', options, ['num_groups', 'num_channels', 'eps', 'affine']);
    const { num_groups, num_channels, eps = 1e-5, affine = true } = options;
    if (!Number.isInteger(num_groups) || num_groups <= 0 || !Number.isInteger(num_channels) || num_channels % num_groups !== 0) {
      throw new ValueError('NN_BAD_ARG', `num_channels must be divisible by num_groups (got num_channels=${num_channels}, num_groups=${num_groups})`);
    }
    this.num_groups = num_groups;
    this.num_channels = num_channels;
    this.eps = eps;
    this.affine = affine;
    this.weight = affine ? this.addParameter('weight', tf.ones([num_channels])) : null;
    this.bias = affine ? this.addParameter('bias', tf.zeros([num_channels])) : null;
  }

  override get hasInitWeights(): boolean {
    return false;
  }

  override get isNorm(): boolean {
    return true;
  }

  /** PyTorch `reset_parameters`: weight 1, bias 0. */
  override resetParameters(): void {
    tf.tidy(() => {
      this.weight?.assign(tf.onesLike(this.weight));
      this.bias?.assign(tf.zerosLike(this.bias));
    });
  }

  /**
   * @param x `[N, H, W, num_channels]`
   * @returns same shape (owned by the caller)
   */
  forward(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      if (x.rank !== 4 || x.shape[3] !== this.num_channels) {
        throw new ValueError('NN_BAD_INPUT', `GroupNorm expected input [N, H, W, ${this.num_channels}], got [${x.shape.join(', ')}]`);
      }
      const [n, h, w, c] = x.shape;
      const g = this.num_groups;
      const xg = tf.reshape(x, [n, h, w, g, c / g]);
      const { mean, variance } = tf.moments(xg, [1, 2, 4], true);
      let y = tf.reshape(tf.mul(tf.sub(xg, mean), tf.rsqrt(tf.add(variance, this.eps))), [n, h, w, c]);
      if (this.weight !== null && this.bias !== null) y = tf.add(tf.mul(y, this.weight), this.bias);
      return y as tf.Tensor4D;
    });
  }
}
