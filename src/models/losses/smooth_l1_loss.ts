/**
 * @module Port of `mmdet/models/losses/smooth_l1_loss.py` (SmoothL1Loss, L1Loss) @ v2.28.2.
 */
import { tf } from '../../backend/index.js';
import { weightReduceLoss, type BaseLossConfig, type LossCallOptions, type Reduction } from './utils.js';

/** Config of {@link SmoothL1Loss}. */
export interface SmoothL1LossConfig extends BaseLossConfig {
  /** Below `beta` the loss is quadratic, above linear. */
  beta?: number;
}

/** Element-wise smooth L1: `0.5 d²/β` for `d < β`, else `d − 0.5β`. */
export function smoothL1(pred: tf.Tensor, target: tf.Tensor, beta: number): tf.Tensor {
  if (beta <= 0) throw new Error(`smooth_l1_loss: beta must be > 0, got ${beta}`);
  return tf.tidy(() => {
    const diff = pred.sub(target).abs();
    return tf.where(diff.less(beta), diff.square().mul(0.5 / beta), diff.sub(0.5 * beta));
  });
}

/** Smooth L1 loss (RPN, R-CNN box regression). */
export class SmoothL1Loss {
  static readonly type = 'SmoothL1Loss';
  readonly beta: number;
  readonly reduction: Reduction;
  readonly lossWeight: number;

  constructor(cfg: SmoothL1LossConfig = {}) {
    this.beta = cfg.beta ?? 1.0;
    this.reduction = cfg.reduction ?? 'mean';
    this.lossWeight = cfg.loss_weight ?? 1.0;
  }

  /** `pred`, `target`: same shape, e.g. `[n, 4]` deltas. Returns a scalar unless reduction is `none`. */
  forward(pred: tf.Tensor, target: tf.Tensor, opts: LossCallOptions = {}): tf.Tensor {
    return tf.tidy(() => {
      if (target.size === 0) return pred.sum().mul(0);
      const loss = smoothL1(pred, target, this.beta);
      return weightReduceLoss(loss, opts.weight, opts.reductionOverride ?? this.reduction, opts.avgFactor).mul(this.lossWeight);
    });
  }
}

/** L1 loss (RetinaNet box regression). */
export class L1Loss {
  static readonly type = 'L1Loss';
  readonly reduction: Reduction;
  readonly lossWeight: number;

  constructor(cfg: BaseLossConfig = {}) {
    this.reduction = cfg.reduction ?? 'mean';
    this.lossWeight = cfg.loss_weight ?? 1.0;
  }

  /** `|pred − target|`, weighted and reduced. */
  forward(pred: tf.Tensor, target: tf.Tensor, opts: LossCallOptions = {}): tf.Tensor {
    return tf.tidy(() => {
      if (target.size === 0) return pred.sum().mul(0);
      const loss = pred.sub(target).abs();
      return weightReduceLoss(loss, opts.weight, opts.reductionOverride ?? this.reduction, opts.avgFactor).mul(this.lossWeight);
    });
  }
}
