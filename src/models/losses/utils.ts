/**
 * @module Port of `mmdet/models/losses/utils.py` @ v2.28.2: element-wise weighting and reduction.
 */
import { tf } from '../../backend/index.js';

/** How a loss is reduced. */
export type Reduction = 'none' | 'mean' | 'sum';

/** Per-call options every loss's `forward` accepts (mmdet keyword names in camelCase). */
export interface LossCallOptions {
  /** Element-wise weights, broadcastable to the element-wise loss. */
  weight?: tf.Tensor | null;
  /** Divisor of the summed loss for `mean` (mmdet `avg_factor`). */
  avgFactor?: number | null;
  reductionOverride?: Reduction | null;
}

const FLOAT32_EPS = 1.1920928955078125e-7;

/** Reduces a loss tensor (`mean`, `sum` or none). */
export function reduceLoss(loss: tf.Tensor, reduction: Reduction): tf.Tensor {
  if (reduction === 'none') return loss;
  if (reduction === 'mean') return loss.mean();
  return loss.sum();
}

/**
 * mmdet `weight_reduce_loss`: multiply by `weight`, then reduce; with `avgFactor` and `mean`, divide the
 * sum by `avgFactor + eps` (float32 eps, so an all-ignored batch gives 0, not NaN).
 * @throws Error for `avgFactor` with `sum` reduction, as mmdet
 */
export function weightReduceLoss(loss: tf.Tensor, weight: tf.Tensor | null | undefined, reduction: Reduction, avgFactor: number | null | undefined): tf.Tensor {
  return tf.tidy(() => {
    const l = weight == null ? loss : loss.mul(weight);
    if (avgFactor == null) return reduceLoss(l, reduction);
    if (reduction === 'mean') return l.sum().div(avgFactor + FLOAT32_EPS);
    if (reduction === 'none') return l;
    throw new Error('avg_factor can not be used with reduction="sum"');
  });
}

/** Common config of every loss: `reduction` and `loss_weight`. */
export interface BaseLossConfig {
  reduction?: Reduction;
  loss_weight?: number;
}
