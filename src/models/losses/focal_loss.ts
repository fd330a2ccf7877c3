/**
 * @module Port of `mmdet/models/losses/focal_loss.py` (FocalLoss, sigmoid form) @ v2.28.2.
 */
import { tf } from '../../backend/index.js';
import { sigmoidFocalLoss } from '../../ops/focal_loss.js';
import type { BaseLossConfig, LossCallOptions, Reduction } from './utils.js';

/** Config of {@link FocalLoss}. */
export interface FocalLossConfig extends BaseLossConfig {
  /** Only the sigmoid form exists (mmdet asserts it too). Default true. */
  use_sigmoid?: boolean;
  gamma?: number;
  alpha?: number;
  /** Inputs are already probabilities (not supported: mmdet uses it for knowledge distillation only). */
  activated?: boolean;
}

/** Sigmoid focal loss for dense heads (RetinaNet, FCOS, ATSS). */
export class FocalLoss {
  static readonly type = 'FocalLoss';
  readonly useSigmoid = true;
  readonly gamma: number;
  readonly alpha: number;
  readonly reduction: Reduction;
  readonly lossWeight: number;

  constructor(cfg: FocalLossConfig = {}) {
    if (cfg.use_sigmoid === false) throw new Error('Only sigmoid focal loss supported now.');
    if (cfg.activated === true) throw new Error('FocalLoss: activated=True is not supported by detkit');
    this.gamma = cfg.gamma ?? 2.0;
    this.alpha = cfg.alpha ?? 0.25;
    this.reduction = cfg.reduction ?? 'mean';
    this.lossWeight = cfg.loss_weight ?? 1.0;
  }

  /**
   * @param pred `[n, C]` logits
   * @param target `[n]` int32 labels in `[0, C]` (`C` = background)
   * @param opts weight `[n]` or `[n, C]`, avgFactor, reductionOverride
   */
  forward(pred: tf.Tensor2D, target: tf.Tensor, opts: LossCallOptions = {}): tf.Tensor {
    return tf.tidy(() =>
      sigmoidFocalLoss(pred, target, {
        gamma: this.gamma,
        alpha: this.alpha,
        reduction: opts.reductionOverride ?? this.reduction,
        ...(opts.weight != null ? { weight: opts.weight } : {}),
        ...(opts.avgFactor != null ? { avgFactor: opts.avgFactor } : {}),
      }).mul(this.lossWeight),
    );
  }
}
