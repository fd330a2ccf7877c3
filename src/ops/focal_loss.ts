/**
 * @module Port of `sigmoid_focal_loss` (`mmcv/ops/focal_loss.py` @ mmcv v1.7.1) with the weighting
 * and reduction of mmdet's wrapper (`mmdet/models/losses/focal_loss.py` + `utils.py`
 * `weight_reduce_loss` @ v2.28.2).
 *
 * Porting note: mmcv's CUDA op and mmdet's `py_sigmoid_focal_loss` compute the same loss; detkit
 * runs `py_sigmoid_focal_loss`'s expression (the numerically stable BCE-with-logits form) as one
 * fused kernel with a hand-written gradient (`backend/fused/focal_loss_kernels.ts`), summing in
 * the kernel unless `reduction` is `'none'`.
 */
import { fusedSigmoidFocalLoss, tf } from '../backend/index.js';
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
    const t = isLabels ? (target.dtype === 'int32' ? target : tf.cast(target, 'int32')) : tf.cast(target, 'float32');
    const w = weight === undefined ? undefined : tf.cast(weight, 'float32');
    if (reduction === 'none') return fusedSigmoidFocalLoss(pred, t, w, { gamma, alpha, reduce: false });
    const sum = fusedSigmoidFocalLoss(pred, t, w, { gamma, alpha, reduce: true });
    if (options.avgFactor !== undefined) {
      // mmdet: loss.sum() / (avg_factor + torch.finfo(torch.float32).eps)
      return tf.div(sum, options.avgFactor + 1.1920928955078125e-7);
    }
    return reduction === 'mean' ? tf.div(sum, n * c) : sum;
  });
}
