/**
 * @module Port of `configs/_base_/schedules/schedule_2x.py` @ mmdetection v2.28.2: 24 epochs,
 * LR steps at 16 and 22, linear warmup over 500 iterations.
 */
import type { DetConfig } from '../../../src/config/index.js';

export default {
  // optimizer
  optimizer: { type: 'SGD', lr: 0.02, momentum: 0.9, weight_decay: 0.0001 },
  optimizer_config: { grad_clip: null },
  // learning policy
  lr_config: { policy: 'step', warmup: 'linear', warmup_iters: 500, warmup_ratio: 0.001, step: [16, 22] },
  runner: { type: 'EpochBasedRunner', max_epochs: 24 },
} satisfies DetConfig;
