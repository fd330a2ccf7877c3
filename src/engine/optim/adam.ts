/**
 * @module Port of `torch/optim/adam.py` (torch 1.13, `_single_tensor_adam`): Adam with optional
 * AMSGrad and L2 weight decay added to the gradient.
 *
 * Per parameter at step `t`:
 * ```
 * g = g + weight_decay * p
 * m = b1 * m + (1 - b1) * g;   v = b2 * v + (1 - b2) * g²;   vmax = max(vmax, v) (amsgrad)
 * p = p - lr / (1 - b1^t) * m / (sqrt(v or vmax) / sqrt(1 - b2^t) + eps)
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../../utils/errors.js';
import { checkNonNegative, type OptimizerParams, TorchOptimizer } from './optimizer.js';
import type { ParamGroup } from './types.js';

/** `optimizer = dict(type='Adam', lr=1e-3, betas=(0.9, 0.999))`. */
export interface AdamConfig {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay rates of the first and second moment. Default `[0.9, 0.999]`. */
  betas?: [number, number];
  /** Added to the denominator. Default 1e-8. */
  eps?: number;
  /** L2 penalty (Adam) or decoupled decay (AdamW). Default 0 (AdamW: 1e-2). */
  weight_decay?: number;
  /** Use the running maximum of `v` (AMSGrad). Default false. */
  amsgrad?: boolean;
}

/** torch's Adam/AdamW argument checks. */
export function validateAdamGroup(g: Record<string, unknown>): void {
  checkNonNegative(g.lr, 'learning rate');
  checkNonNegative(g.eps, 'epsilon value');
  const betas = g.betas as unknown;
  if (!Array.isArray(betas) || betas.length !== 2) throw new ValueError('OPTIM_INVALID_VALUE', `Invalid betas: ${JSON.stringify(betas)}`);
  for (const i of [0, 1]) {
    const b = betas[i] as number;
    if (!(b >= 0 && b < 1)) throw new ValueError('OPTIM_INVALID_VALUE', `Invalid beta parameter at index ${i}: ${String(b)}`);
  }
  checkNonNegative(g.weight_decay, 'weight_decay value');
}

/** torch's Adam defaults (AdamW overrides `weight_decay` with 1e-2). */
export const ADAM_DEFAULTS: Readonly<Record<string, unknown>> = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false };

/** Adam, as `torch.optim.Adam` (weight decay is L2 on the gradient). */
export class Adam extends TorchOptimizer {
  static override readonly type: string = 'Adam';

  /**
   * @param cfg hyper-parameters plus `params`
   * @param defaults hyper-parameter defaults (subclasses change them)
   */
  constructor(cfg: AdamConfig & { params?: OptimizerParams } = {}, defaults: Readonly<Record<string, unknown>> = ADAM_DEFAULTS) {
    super(cfg as unknown as Record<string, unknown>, { ...defaults });
  }

  protected validateGroup(g: Record<string, unknown>): void {
    validateAdamGroup(g);
  }

  protected updateParam(name: string, param: tf.Variable, grad: tf.Tensor, group: ParamGroup, step: number): void {
    const g = group.weight_decay !== 0 ? tf.add(grad, tf.mul(param, group.weight_decay)) : grad;
    param.assign(this.adamStep(name, param, g, group, step));
  }

  /**
   * The moment updates and the bias-corrected step from `base` (no weight decay: callers apply L2
   * or decoupled decay first). Call inside tidy.
   * @returns the new parameter value
   */
  protected adamStep(name: string, base: tf.Tensor, grad: tf.Tensor, group: ParamGroup, step: number): tf.Tensor {
    const [b1, b2] = group.betas as [number, number];
    const eps = group.eps as number;
    const m0 = this.getBuffer(name, 'exp_avg');
    const v0 = this.getBuffer(name, 'exp_avg_sq');
    // First step: the zero-initialised moments reduce to (1 - b) * g.
    const m = m0 === undefined ? tf.mul(grad, 1 - b1) : tf.add(tf.mul(m0, b1), tf.mul(grad, 1 - b1));
    const g2 = tf.mul(grad, grad);
    const v = v0 === undefined ? tf.mul(g2, 1 - b2) : tf.add(tf.mul(v0, b2), tf.mul(g2, 1 - b2));
    this.setBuffer(name, 'exp_avg', m);
    this.setBuffer(name, 'exp_avg_sq', v);
    let second = v;
    if (group.amsgrad === true) {
      const vmax0 = this.getBuffer(name, 'max_exp_avg_sq');
      second = vmax0 === undefined ? v : tf.maximum(vmax0, v);
      this.setBuffer(name, 'max_exp_avg_sq', second);
    }
    const bc1 = 1 - b1 ** step;
    const bc2Sqrt = Math.sqrt(1 - b2 ** step);
    const denom = tf.add(tf.div(tf.sqrt(second), bc2Sqrt), eps);
    return tf.sub(base, tf.mul(tf.div(m, denom), group.lr / bc1));
  }
}
