/**
 * @module Port of `configs/_base_/default_runtime.py` @ mmdetection v2.28.2: checkpointing,
 * logging, hooks and runtime defaults shared by every method config.
 */
import type { DetConfig } from '../../src/config/index.js';

export default {
  checkpoint_config: { interval: 1 },
  log_config: {
    interval: 50,
    hooks: [
      { type: 'TextLoggerHook' },
      // { type: 'TensorboardLoggerHook' },
    ],
  },
  custom_hooks: [{ type: 'NumClassCheckHook' }],
  dist_params: { backend: 'nccl' },
  log_level: 'INFO',
  load_from: null,
  resume_from: null,
  workflow: [['train', 1]],
  // disable opencv multithreading to avoid system being overloaded
  opencv_num_threads: 0,
  // set multi-process start method as `fork` to speed up the training
  mp_start_method: 'fork',
  // Default setting for scaling LR automatically: `base_batch_size` = (8 GPUs) x (2 samples per GPU).
  auto_scale_lr: { enable: false, base_batch_size: 16 },
} satisfies DetConfig;
