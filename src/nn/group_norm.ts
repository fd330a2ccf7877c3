/**
 * @module Port of `torch.nn.GroupNorm` (mmcv NORM_LAYERS `GN`), NHWC.
 *
 * Runs as one fused kernel with a hand-written gradient (`backend/fused/norm_kernels.ts`),
 * optionally with the following ReLU.
 */
import { fusedNormTrain, tf } from '../backend/index.js';
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
   * One fused kernel (`fusedNormTrain`, hand-written gradient) normalises, applies `weight`/`bias`
   * and, with `relu`, the ReLU that follows (mmcv ConvModule's norm → act).
   * @param x `[N, H, W, num_channels]`
   * @param relu also apply ReLU (default false)
   * @returns same shape (owned by the caller)
   * @throws ValueError `NN_BAD_INPUT` for a wrong channel count
   */
  forward(x: tf.Tensor4D, relu = false): tf.Tensor4D {
    return tf.tidy(() => {
      if (x.rank !== 4 || x.shape[3] !== this.num_channels) {
        throw new ValueError('NN_BAD_INPUT', `GroupNorm expected input [N, H, W, ${this.num_channels}], got [${x.shape.join(', ')}]`);
      }
      const gamma = (this.weight ?? tf.ones([this.num_channels])) as tf.Tensor1D;
      const beta = (this.bias ?? tf.zeros([this.num_channels])) as tf.Tensor1D;
      return fusedNormTrain(x, gamma, beta, { eps: this.eps, groups: this.num_groups, relu }).y;
    });
  }
}
