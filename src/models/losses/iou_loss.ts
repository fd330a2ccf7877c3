/**
 * @module Port of `mmdet/models/losses/iou_loss.py` (IoULoss, GIoULoss) @ v2.28.2.
 */
import { tf } from '../../backend/index.js';
import { bboxOverlaps } from '../../ops/bbox_overlaps.js';
import { weightReduceLoss, type BaseLossConfig, type LossCallOptions, type Reduction } from './utils.js';

/** Config of {@link IoULoss}. */
export interface IoULossConfig extends BaseLossConfig {
  /** Deprecated alias of `mode: 'linear'`. */
  linear?: boolean;
  eps?: number;
  /** `log` (−log IoU), `linear` (1 − IoU) or `square` (1 − IoU²). */
  mode?: 'log' | 'linear' | 'square';
}

/** Config of {@link GIoULoss}. */
export interface GIoULossConfig extends BaseLossConfig {
  eps?: number;
}

/**
 * mmdet's shared forward of IoU-style losses: when no weight is positive the loss is `(pred * weight).sum()`
 * (a zero that keeps the graph); `[n, 4]` weights are averaged to `[n]`.
 */
function iouStyleForward(
  elementwise: (pred: tf.Tensor2D, target: tf.Tensor2D) => tf.Tensor,
  pred: tf.Tensor2D,
  target: tf.Tensor2D,
  reduction: Reduction,
  lossWeight: number,
  opts: LossCallOptions,
): tf.Tensor {
  return tf.tidy(() => {
    let weight = opts.weight ?? null;
    const red = opts.reductionOverride ?? reduction;
    if (weight !== null && weight.size > 0 && tf.any(weight.greater(0)).dataSync()[0] === 0) {
      const w = pred.rank === weight.rank + 1 ? weight.expandDims(1) : weight;
      return pred.mul(w).sum();
    }
    if (pred.shape[0] === 0) return pred.sum().mul(0);
    if (weight !== null && weight.rank > 1) weight = weight.mean(-1);
    return weightReduceLoss(elementwise(pred, target), weight, red, opts.avgFactor).mul(lossWeight);
  });
}

/** IoU loss on decoded boxes `[n, 4]` (FCOS). */
export class IoULoss {
  static readonly type = 'IoULoss';
  readonly mode: 'log' | 'linear' | 'square';
  readonly eps: number;
  readonly reduction: Reduction;
  readonly lossWeight: number;

  constructor(cfg: IoULossConfig = {}) {
    this.mode = cfg.linear === true ? 'linear' : (cfg.mode ?? 'log');
    this.eps = cfg.eps ?? 1e-6;
    this.reduction = cfg.reduction ?? 'mean';
    this.lossWeight = cfg.loss_weight ?? 1.0;
  }

  /** `pred`, `target`: `[n, 4]` boxes x1,y1,x2,y2. */
  forward(pred: tf.Tensor2D, target: tf.Tensor2D, opts: LossCallOptions = {}): tf.Tensor {
    const loss = (p: tf.Tensor2D, t: tf.Tensor2D): tf.Tensor => {
      const ious = tf.maximum(bboxOverlaps(p, t, { isAligned: true }), this.eps);
      if (this.mode === 'linear') return tf.scalar(1).sub(ious);
      if (this.mode === 'square') return tf.scalar(1).sub(ious.square());
      return ious.log().neg();
    };
    return iouStyleForward(loss, pred, target, this.reduction, this.lossWeight, opts);
  }
}

/** Generalized IoU loss `1 − GIoU` on decoded boxes `[n, 4]` (ATSS, FCOS variants). */
export class GIoULoss {
  static readonly type = 'GIoULoss';
  readonly eps: number;
  readonly reduction: Reduction;
  readonly lossWeight: number;

  constructor(cfg: GIoULossConfig = {}) {
    this.eps = cfg.eps ?? 1e-6;
    this.reduction = cfg.reduction ?? 'mean';
    this.lossWeight = cfg.loss_weight ?? 1.0;
  }

  /** `pred`, `target`: `[n, 4]` boxes x1,y1,x2,y2. */
  forward(pred: tf.Tensor2D, target: tf.Tensor2D, opts: LossCallOptions = {}): tf.Tensor {
    const loss = (p: tf.Tensor2D, t: tf.Tensor2D): tf.Tensor =>
      tf.scalar(1).sub(bboxOverlaps(p, t, { mode: 'giou', isAligned: true, eps: this.eps }));
    return iouStyleForward(loss, pred, target, this.reduction, this.lossWeight, opts);
  }
}
