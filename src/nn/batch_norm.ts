/**
 * @module Port of `torch.nn.BatchNorm2d` (mmcv NORM_LAYERS `BN`, `BN2d`, and `SyncBN`), NHWC.
 *
 * Training mode normalises with the batch's biased variance and updates the running statistics
 * with PyTorch's rule: `running = (1 − momentum)·running + momentum·batch`, using the *unbiased*
 * batch variance (`n/(n−1)`) for `running_var`, and counts `num_batches_tracked`. With
 * `momentum: null` the cumulative average (`1/num_batches_tracked`) is used, as PyTorch.
 * Evaluation mode normalises with the running statistics. Both modes run as one fused kernel with a
 * hand-written gradient (`backend/fused/norm_kernels.ts`), optionally with the following ReLU. In
 * evaluation mode with frozen affine parameters (`requires_grad: false`, or `affine: false`) that
 * gradient is in the input only and is computed from the output, so the input is not kept for it.
 *
 * Porting note: `SyncBN` builds this same layer (single process: nothing to synchronise); its
 * state-dict names are identical to PyTorch's `SyncBatchNorm`.
 */
import { fusedNormInfer, fusedNormTrain, tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';
import { assertKnownKeys } from './config_args.js';
import { Module } from './module.js';

/** Options of {@link BatchNorm2d} (PyTorch defaults). */
export interface BatchNorm2dOptions {
  num_features: number;
  /** Default 1e-5. */
  eps?: number;
  /** Running-stat update factor. Default 0.1; null = cumulative moving average. */
  momentum?: number | null;
  /** Learnable `weight`/`bias`. Default true. */
  affine?: boolean;
  /** Keep `running_mean`/`running_var`/`num_batches_tracked`. Default true. */
  track_running_stats?: boolean;
}

/**
 * Batch normalisation over `[N, H, W, C]` per channel `C`.
 * @example
 * const bn = new BatchNorm2d({ num_features: 64 });
 * const y = bn.forward(x); // train mode: batch stats, running stats updated
 */
export class BatchNorm2d extends Module {
  static override readonly torchName: string = 'BatchNorm2d';
  static override readonly torchBases: readonly string[] = ['_BatchNorm'];
  /** mmcv `infer_abbr`: norm layers of this class are named `bn`, `bn1`, ... */
  static readonly abbr = 'bn';

  readonly num_features: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly track_running_stats: boolean;
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;
  readonly running_mean: tf.Variable | null;
  readonly running_var: tf.Variable | null;
  /** int32 scalar. */
  readonly num_batches_tracked: tf.Variable | null;

  constructor(options: BatchNorm2dOptions) {
    super();
    assertKnownKeys('BatchNorm2d', options, ['num_features', 'eps', 'momentum', 'affine', 'track_running_stats']);
    const { num_features, eps = 1e-5, momentum = 0.1, affine = true, track_running_stats = true } = options;
    if (!Number.isInteger(num_features) || num_features <= 0) {
      throw new ValueError('NN_BAD_ARG', `BatchNorm2d: num_features must be a positive int, got ${num_features}`);
    }
    this.num_features = num_features;
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.track_running_stats = track_running_stats;
    this.weight = affine ? this.addParameter('weight', tf.ones([num_features])) : null;
    this.bias = affine ? this.addParameter('bias', tf.zeros([num_features])) : null;
    if (track_running_stats) {
      this.running_mean = this.addBuffer('running_mean', tf.zeros([num_features]));
      this.running_var = this.addBuffer('running_var', tf.ones([num_features]));
      this.num_batches_tracked = this.addBuffer('num_batches_tracked', tf.scalar(0, 'int32'));
    } else {
      this.running_mean = null;
      this.running_var = null;
      this.num_batches_tracked = null;
    }
  }

  override get hasInitWeights(): boolean {
    return false;
  }

  override get isNorm(): boolean {
    return true;
  }

  /** PyTorch `reset_parameters`: weight 1, bias 0 (running stats untouched). */
  override resetParameters(): void {
    tf.tidy(() => {
      this.weight?.assign(tf.onesLike(this.weight));
      this.bias?.assign(tf.zerosLike(this.bias));
    });
  }

  /**
   * One fused kernel (`fusedNormTrain` / `fusedNormInfer`, hand-written gradients) normalises,
   * applies `weight`/`bias` and, with `relu`, the ReLU that follows (mmcv ConvModule's norm → act).
   * @param x `[N, H, W, num_features]`
   * @param relu also apply ReLU (default false)
   * @returns normalised tensor of the same shape (owned by the caller)
   * @throws ValueError `NN_BAD_INPUT` for a wrong channel count, or one value per channel in training
   */
  forward(x: tf.Tensor4D, relu = false): tf.Tensor4D {
    return tf.tidy(() => {
      if (x.rank !== 4 || x.shape[3] !== this.num_features) {
        throw new ValueError('NN_BAD_INPUT', `BatchNorm2d expected input [N, H, W, ${this.num_features}], got [${x.shape.join(', ')}]`);
      }
      const gamma = (this.weight ?? tf.ones([this.num_features])) as tf.Tensor1D;
      const beta = (this.bias ?? tf.zeros([this.num_features])) as tf.Tensor1D;
      if (this.training || !this.track_running_stats) {
        const n = x.shape[0] * x.shape[1] * x.shape[2];
        if (this.training && n <= 1) {
          throw new ValueError('NN_BAD_INPUT', `Expected more than 1 value per channel when training, got input size [${x.shape.join(', ')}]`);
        }
        const { y, mean, variance } = fusedNormTrain(x, gamma, beta, { eps: this.eps, groups: 0, relu });
        if (this.training && this.track_running_stats) this.updateRunningStats(mean, variance, n);
        return y;
      }
      // Frozen affine parameters (`requires_grad: false`) make every input but x a constant: the
      // backward then keeps the output (or nothing) instead of x, as PyTorch's FrozenBatchNorm2d.
      const constantParams = !(this.weight?.trainable ?? false) && !(this.bias?.trainable ?? false);
      return fusedNormInfer(x, this.running_mean as tf.Tensor1D, this.running_var as tf.Tensor1D, gamma, beta, { eps: this.eps, relu, constantParams });
    });
  }

  private updateRunningStats(mean: tf.Tensor1D, variance: tf.Tensor1D, n: number): void {
    const nbt = this.num_batches_tracked!;
    nbt.assign(tf.add(nbt, tf.scalar(1, 'int32')));
    // The cumulative average needs the count as a number; a fixed momentum does not read it back.
    const factor = this.momentum ?? 1 / (nbt.dataSync()[0] ?? 1);
    // The running statistics never feed the loss, so the tape ignores these ops.
    const m = mean;
    const v = tf.mul(variance, n / (n - 1));
    this.running_mean!.assign(tf.add(tf.mul(this.running_mean!, 1 - factor), tf.mul(m, factor)));
    this.running_var!.assign(tf.add(tf.mul(this.running_var!, 1 - factor), tf.mul(v, factor)));
  }
}
