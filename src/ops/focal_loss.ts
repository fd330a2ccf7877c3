/**
 * @module Port of `sigmoid_focal_loss` (`mmcv/ops/focal_loss.py` @ mmcv v1.7.1) with the weighting
 * and reduction of mmdet's wrapper (`mmdet/models/losses/focal_loss.py` + `utils.py`
 * `weight_reduce_loss` @ v2.28.2).
 *
 * Porting note: mmcv's CUDA op and mmdet's `py_sigmoid_focal_loss` compute the same loss; detkit
 * composes it from differentiable tfjs ops (the numerically stable BCE-with-logits form), so
 * autograd supplies the backward on every backend.
 */
import { tf } from '../backend/index.js';
import { ValueError } from '../utils/errors.js';
import { checkShape } from './utils.js';

/** Loss reductions of mmdet (`reduction=`). */
export type LossReduction = 'none' | 'mean' | 'sum';

/** Options of {@link sigmoidFocalLoss} (mmdet `sigmoid_focal_loss` keywords). */
export interface SigmoidFocalLossOptions {
  /** Focusing parameter. Default 2. */
  gamma?: number;
  /** Weight of the positive term (negatives get `1 - alpha`). Default 0.25. */
  alpha?: number;
  /** `[N]` per-sample or `[N, C]` element-wise loss weights. */
  weight?: tf.Tensor;
  /** Default `'mean'`. */
  reduction?: LossReduction;
  /** With `'mean'`: divide the sum by `avgFactor + eps(float32)` instead of the element count. */
  avgFactor?: number;
}

/**
 * Sigmoid focal loss (Lin et al.), as mmdet's `FocalLoss(use_sigmoid=True)` computes it.
 *
 * `loss = BCE(sigmoid(x), t) * (alpha t + (1 - alpha)(1 - t)) * pt^gamma` with
 * `pt = (1 - p) t + p (1 - t)`.
 * @param pred `[N, C]` logits (no background column)
 * @param target `[N]` int32 labels in `[0, C]` (`C` = background, all-zero target row) or `[N, C]`
 *   one-hot / soft targets
 * @param options `gamma`, `alpha`, `weight`, `reduction`, `avgFactor`
 * @returns a scalar (`mean`/`sum`) or `[N, C]` (`none`) float32 tensor; the caller owns it
 * @throws ValueError `OPS_BAD_SHAPE`; ValueError `LOSS_AVG_FACTOR_WITH_SUM` (mmdet's
 *   `avg_factor can not be used with reduction="sum"`)
 * @example
 * const loss = sigmoidFocalLoss(logits, labels, { avgFactor: numPos });
 */
export function sigmoidFocalLoss(pred: tf.Tensor2D, target: tf.Tensor, options: SigmoidFocalLossOptions = {}): tf.Tensor {
  const gamma = options.gamma ?? 2;
  const alpha = options.alpha ?? 0.25;
  const reduction = options.reduction ?? 'mean';
  checkShape(pred.rank === 2, 'sigmoid_focal_loss(pred)', '[N, C]', `[${pred.shape.join(', ')}]`);
  const [n, c] = pred.shape;
  const isLabels = target.rank === 1;
  checkShape(isLabels ? target.shape[0] === n : target.rank === 2 && target.shape[0] === n && target.shape[1] === c,
    'sigmoid_focal_loss(target)', `[${n}] labels or [${n}, ${c}] targets`, `[${target.shape.join(', ')}]`);
  if (reduction !== 'none' && reduction !== 'mean' && reduction !== 'sum') {
    throw new ValueError('OPS_BAD_ARGUMENT', `sigmoid_focal_loss(reduction): expected 'none', 'mean' or 'sum', got '${String(reduction)}'.`);
  }
  if (options.avgFactor !== undefined && reduction === 'sum') {
    throw new ValueError('LOSS_AVG_FACTOR_WITH_SUM', 'avg_factor can not be used with reduction="sum"');
  }
  const weight = options.weight;
  if (weight !== undefined) {
    checkShape(weight.shape[0] === n && (weight.size === n || weight.size === n * c), 'sigmoid_focal_loss(weight)',
      `[${n}] or [${n}, ${c}]`, `[${weight.shape.join(', ')}]`);
  }
  return tf.tidy(() => {
    const t = isLabels
      ? tf.cast(tf.slice(tf.oneHot(tf.cast(target, 'int32'), c + 1), [0, 0], [n, c]), 'float32')
      : tf.cast(target, 'float32');
    const p = tf.sigmoid(pred);
    const one = tf.scalar(1);
    const notT = tf.sub(one, t);
    const pt = tf.add(tf.mul(tf.sub(one, p), t), tf.mul(p, notT));
    const focalWeight = tf.mul(tf.add(tf.mul(t, alpha), tf.mul(notT, 1 - alpha)), tf.pow(pt, gamma));
    // BCE with logits, stable form: max(x, 0) - x t + log(1 + exp(-|x|))
    const bce = tf.add(tf.sub(tf.relu(pred), tf.mul(pred, t)), tf.log1p(tf.exp(tf.neg(tf.abs(pred)))));
    let loss = tf.mul(bce, focalWeight);
    if (weight !== undefined) loss = tf.mul(loss, weight.size === n ? tf.reshape(weight, [n, 1]) : tf.reshape(weight, [n, c]));
    if (options.avgFactor === undefined) {
      if (reduction === 'mean') return tf.mean(loss);
      if (reduction === 'sum') return tf.sum(loss);
      return loss;
    }
    // mmdet: loss.sum() / (avg_factor + torch.finfo(torch.float32).eps)
    if (reduction === 'mean') return tf.div(tf.sum(loss), options.avgFactor + 1.1920928955078125e-7);
    return loss;
  });
}
