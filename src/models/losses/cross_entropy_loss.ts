/**
 * @module Port of `mmdet/models/losses/cross_entropy_loss.py` @ v2.28.2 (softmax and sigmoid forms;
 * the mask form `use_mask` is for mask heads).
 */
import { tf } from '../../backend/index.js';
import { weightReduceLoss, type BaseLossConfig, type LossCallOptions, type Reduction } from './utils.js';

/** Config of {@link CrossEntropyLoss}. */
export interface CrossEntropyLossConfig extends BaseLossConfig {
  use_sigmoid?: boolean;
  use_mask?: boolean;
  class_weight?: number[] | null;
  ignore_index?: number | null;
  avg_non_ignore?: boolean;
}

/** Options of one call; `ignoreIndex` overrides the configured one. */
export interface CrossEntropyCallOptions extends LossCallOptions {
  ignoreIndex?: number | null;
}

/** Numerically stable binary cross entropy with logits, element-wise. */
export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor, posWeight?: tf.Tensor | null): tf.Tensor {
  return tf.tidy(() => {
    // max(x,0) - x*t + log(1 + exp(-|x|)); with pos_weight p: (1 - t) x + (1 + (p - 1) t) softplus(-x)
    if (posWeight == null) return tf.relu(logits).sub(logits.mul(targets)).add(tf.log1p(tf.exp(logits.abs().neg())));
    const lw = posWeight.sub(1).mul(targets).add(1);
    const softplusNeg = tf.relu(logits.neg()).add(tf.log1p(tf.exp(logits.abs().neg())));
    return tf.scalar(1).sub(targets).mul(logits).add(lw.mul(softplusNeg));
  });
}

/**
 * Cross entropy loss: softmax over `[n, C]` logits with integer labels `[n]`, or sigmoid per class
 * (labels one-hot expanded; label `C` or above = background → all zeros).
 */
export class CrossEntropyLoss {
  static readonly type = 'CrossEntropyLoss';
  readonly useSigmoid: boolean;
  readonly useMask: boolean;
  readonly reduction: Reduction;
  readonly lossWeight: number;
  readonly classWeight: number[] | null;
  readonly ignoreIndex: number | null;
  readonly avgNonIgnore: boolean;

  constructor(cfg: CrossEntropyLossConfig = {}) {
    this.useSigmoid = cfg.use_sigmoid ?? false;
    this.useMask = cfg.use_mask ?? false;
    if (this.useSigmoid && this.useMask) throw new Error('use_sigmoid and use_mask cannot both be true');
    this.reduction = cfg.reduction ?? 'mean';
    this.lossWeight = cfg.loss_weight ?? 1.0;
    this.classWeight = cfg.class_weight ?? null;
    this.ignoreIndex = cfg.ignore_index ?? null;
    this.avgNonIgnore = cfg.avg_non_ignore ?? false;
  }

  /**
   * @param clsScore `[n, C]` logits (softmax: C includes background)
   * @param label `[n]` int32 labels
   * @param opts weight `[n]`, avgFactor, reduction override, ignore index
   */
  forward(clsScore: tf.Tensor, label: tf.Tensor, opts: CrossEntropyCallOptions = {}): tf.Tensor {
    const reduction = opts.reductionOverride ?? this.reduction;
    const ignore = opts.ignoreIndex ?? this.ignoreIndex ?? -100;
    if (this.useSigmoid && clsScore.rank === label.rank) return this.binarySameShape(clsScore, label, reduction, ignore, opts);
    return tf.tidy(() => {
      const c = clsScore.shape[1] as number;
      const valid = tf.logicalAnd(label.greaterEqual(0), label.notEqual(ignore));
      const validF = valid.toFloat();
      let avgFactor = opts.avgFactor ?? null;
      let loss: tf.Tensor;
      let weight: tf.Tensor | null = opts.weight ?? null;
      if (this.useSigmoid) {
        const safe = tf.where(valid, label, tf.fill(label.shape, c, 'int32'));
        const onehot = tf.oneHot(safe.toInt(), c + 1).slice([0, 0], [-1, c]).toFloat();
        const w2 = validF.reshape([-1, 1]).tile([1, c]);
        weight = weight == null ? w2 : weight.reshape([-1, 1]).tile([1, c]).mul(w2);
        if (avgFactor === null && this.avgNonIgnore && reduction === 'mean') avgFactor = validF.sum().dataSync()[0] * c;
        const pw = this.classWeight === null ? null : tf.tensor1d(this.classWeight);
        loss = bceWithLogits(clsScore, onehot, pw);
      } else {
        const safe = tf.where(valid, label, tf.zerosLike(label));
        const logp = tf.logSoftmax(clsScore);
        const onehot = tf.oneHot(safe.toInt(), c).toFloat();
        let nll = logp.mul(onehot).sum(1).neg();
        if (this.classWeight !== null) nll = nll.mul(onehot.matMul(tf.tensor2d(this.classWeight, [c, 1])).reshape([-1]));
        loss = nll.mul(validF);
        if (avgFactor === null && this.avgNonIgnore && reduction === 'mean') avgFactor = validF.sum().dataSync()[0];
      }
      return weightReduceLoss(loss, weight, reduction, avgFactor).mul(this.lossWeight);
    });
  }

  /**
   * Sigmoid BCE when `label` has the shape of `clsScore` (soft targets such as centerness; mmdet's
   * `binary_cross_entropy` without one-hot expansion): labels < 0 or == ignore_index get weight 0.
   */
  private binarySameShape(pred: tf.Tensor, label: tf.Tensor, reduction: Reduction, ignore: number, opts: CrossEntropyCallOptions): tf.Tensor {
    return tf.tidy(() => {
      const t = label.toFloat();
      const valid = tf.logicalAnd(t.greaterEqual(0), t.notEqual(ignore)).toFloat();
      const weight = opts.weight == null ? valid : opts.weight.mul(valid);
      let avgFactor = opts.avgFactor ?? null;
      if (avgFactor === null && this.avgNonIgnore && reduction === 'mean') avgFactor = valid.sum().dataSync()[0];
      const pw = this.classWeight === null ? null : tf.tensor1d(this.classWeight);
      return weightReduceLoss(bceWithLogits(pred, t, pw), weight, reduction, avgFactor).mul(this.lossWeight);
    });
  }
}
