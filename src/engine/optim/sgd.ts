/**
 * @module Port of `torch/optim/sgd.py` (torch 1.13, `_single_tensor_sgd`): SGD with momentum,
 * dampening, Nesterov and L2 weight decay.
 *
 * Per parameter `p` with gradient `g`:
 * ```
 * d = g + weight_decay * p
 * buf = d                                        (first step)
 * buf = momentum * buf + (1 - dampening) * d     (later steps)
 * d = nesterov ? d + momentum * buf : buf        (when momentum != 0)
 * p = p - lr * d
 * ```
 */
import * as tf from '@tensorflow/tfjs-core';
import { ValueError } from '../../utils/errors.js';
import { checkNonNegative, type OptimizerParams, TorchOptimizer } from './optimizer.js';
import type { ParamGroup } from './types.js';

/** `optimizer = dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001)`. */
export interface SGDConfig {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Dampening of the momentum. Default 0. */
  dampening?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weight_decay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov?: boolean;
}

/** Stochastic gradient descent, as `torch.optim.SGD`. */
export class SGD extends TorchOptimizer {
  static override readonly type: string = 'SGD';

  /** @param cfg hyper-parameters plus `params` (variables by name, or variables and groups) */
  constructor(cfg: SGDConfig & { params?: OptimizerParams }) {
    super(cfg as unknown as Record<string, unknown>, { lr: undefined, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false });
  }

  protected validateGroup(g: Record<string, unknown>): void {
    checkNonNegative(g.lr, 'learning rate');
    checkNonNegative(g.momentum, 'momentum value');
    checkNonNegative(g.weight_decay, 'weight_decay value');
    if (g.nesterov === true && ((g.momentum as number) <= 0 || g.dampening !== 0)) {
      throw new ValueError('OPTIM_INVALID_VALUE', 'Nesterov momentum requires a momentum and zero dampening');
    }
  }

  protected updateParam(name: string, param: tf.Variable, grad: tf.Tensor, group: ParamGroup): void {
    const wd = group.weight_decay;
    const momentum = group.momentum ?? 0;
    let d: tf.Tensor = wd !== 0 ? tf.add(grad, tf.mul(param, wd)) : grad;
    if (momentum !== 0) {
      const old = this.getBuffer(name, 'momentum_buffer');
      const keep = 1 - (group.dampening as number);
      // `d * 1` is `d` exactly: skip that pass for the usual dampening 0.
      const buf = old === undefined ? d : tf.add(tf.mul(old, momentum), keep === 1 ? d : tf.mul(d, keep));
      this.setBuffer(name, 'momentum_buffer', buf);
      d = group.nesterov === true ? tf.add(d, tf.mul(buf, momentum)) : buf;
    }
    param.assign(tf.sub(param, tf.mul(d, group.lr)));
  }
}
