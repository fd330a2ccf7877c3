/**
 * @module Port of `torch/optim/adamw.py` (torch 1.13): Adam with decoupled weight decay
 * (`p = p * (1 - lr * weight_decay)` before the Adam step), default `weight_decay=1e-2`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam, ADAM_DEFAULTS, type AdamConfig } from './adam.js';
import type { OptimizerParams } from './optimizer.js';
import type { ParamGroup } from './types.js';

/** `optimizer = dict(type='AdamW', lr=1e-4, weight_decay=0.05)`; same keys as Adam. */
export type AdamWConfig = AdamConfig;

/** AdamW, as `torch.optim.AdamW`. */
export class AdamW extends Adam {
  static override readonly type: string = 'AdamW';

  /** @param cfg hyper-parameters plus `params` */
  constructor(cfg: AdamWConfig & { params?: OptimizerParams } = {}) {
    super(cfg, { ...ADAM_DEFAULTS, weight_decay: 1e-2 });
  }

  protected override updateParam(name: string, param: tf.Variable, grad: tf.Tensor, group: ParamGroup, step: number): void {
    const decayed = group.weight_decay !== 0 ? tf.mul(param, 1 - group.lr * group.weight_decay) : param;
    param.assign(this.adamStep(name, decayed, grad, group, step));
  }
}
