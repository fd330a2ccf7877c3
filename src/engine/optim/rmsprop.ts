/**
 * @module Port of `torch/optim/rmsprop.py` (torch 1.13, `_single_tensor_rmsprop`).
 *
 * ```
 * g = g + weight_decay * p
 * s = alpha * s + (1 - alpha) * g²
 * avg = sqrt(s - ga²) + eps, ga = alpha * ga + (1 - alpha) * g   (centered)
 * avg = sqrt(s) + eps                                             (otherwise)
 * buf = momentum * buf + g / avg;  p = p - lr * buf               (momentum > 0)
 * p = p - lr * g / avg                                            (otherwise)
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegative, type OptimizerParams, TorchOptimizer } from './optimizer.js';
import type { ParamGroup } from './types.js';

/** `optimizer = dict(type='RMSprop', lr=0.01, alpha=0.99, momentum=0.9)`. */
export interface RMSpropConfig {
  /** Default 1e-2. */
  lr?: number;
  /** Smoothing constant of the squared-gradient average. Default 0.99. */
  alpha?: number;
  /** Default 1e-8. */
  eps?: number;
  /** L2 penalty. Default 0. */
  weight_decay?: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Normalise by the estimated variance instead of the second moment. Default false. */
  centered?: boolean;
}

/** RMSprop, as `torch.optim.RMSprop`. */
export class RMSprop extends TorchOptimizer {
  static override readonly type: string = 'RMSprop';

  /** @param cfg hyper-parameters plus `params` */
  constructor(cfg: RMSpropConfig & { params?: OptimizerParams } = {}) {
    super(cfg as unknown as Record<string, unknown>, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false });
  }

  protected validateGroup(g: Record<string, unknown>): void {
    checkNonNegative(g.lr, 'learning rate');
    checkNonNegative(g.eps, 'epsilon value');
    checkNonNegative(g.momentum, 'momentum value');
    checkNonNegative(g.weight_decay, 'weight_decay value');
    checkNonNegative(g.alpha, 'alpha value');
  }

  protected updateParam(name: string, param: tf.Variable, grad: tf.Tensor, group: ParamGroup): void {
    const alpha = group.alpha as number;
    const eps = group.eps as number;
    const momentum = group.momentum ?? 0;
    const g = group.weight_decay !== 0 ? tf.add(grad, tf.mul(param, group.weight_decay)) : grad;
    const s0 = this.getBuffer(name, 'square_avg');
    const g2 = tf.mul(g, g);
    const s = s0 === undefined ? tf.mul(g2, 1 - alpha) : tf.add(tf.mul(s0, alpha), tf.mul(g2, 1 - alpha));
    this.setBuffer(name, 'square_avg', s);
    let avg: tf.Tensor;
    if (group.centered === true) {
      const ga0 = this.getBuffer(name, 'grad_avg');
      const ga = ga0 === undefined ? tf.mul(g, 1 - alpha) : tf.add(tf.mul(ga0, alpha), tf.mul(g, 1 - alpha));
      this.setBuffer(name, 'grad_avg', ga);
      avg = tf.add(tf.sqrt(tf.sub(s, tf.mul(ga, ga))), eps);
    } else {
      avg = tf.add(tf.sqrt(s), eps);
    }
    if (momentum > 0) {
      const b0 = this.getBuffer(name, 'momentum_buffer');
      const ratio = tf.div(g, avg);
      const buf = b0 === undefined ? ratio : tf.add(tf.mul(b0, momentum), ratio);
      this.setBuffer(name, 'momentum_buffer', buf);
      param.assign(tf.sub(param, tf.mul(buf, group.lr)));
    } else {
      param.assign(tf.sub(param, tf.mul(tf.div(g, avg), group.lr)));
    }
  }
}
