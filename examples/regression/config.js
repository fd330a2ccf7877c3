// Config of the regression example (mmcv 1.x vocabulary; data only).
// y = sin(x·a) + x·b + noise on 8 features, fitted by a 8 → 32 → 1 MLP.
export default {
  model: { in_features: 8, hidden: 32, seed: 0 },
  data: {
    samples_per_gpu: 16,
    train: { num_batches: 40, seed: 1 },
    val: { num_batches: 8, seed: 2 },
  },
  optimizer: { type: 'SGD', lr: 0.05, momentum: 0.9, weight_decay: 0.0001 },
  optimizer_config: { grad_clip: { max_norm: 10, norm_type: 2 } },
  lr_config: { policy: 'step', warmup: 'linear', warmup_iters: 20, warmup_ratio: 0.1, step: [6, 9] },
  runner: { type: 'EpochBasedRunner', max_epochs: 10 },
  checkpoint_config: { interval: 1, max_keep_ckpts: 3 },
  log_config: { interval: 10, hooks: [{ type: 'TextLoggerHook' }, { type: 'TensorboardLoggerHook' }] },
  evaluation: { interval: 1, save_best: 'mse', rule: 'less' },
  custom_hooks: [{ type: 'DistSamplerSeedHook' }],
  workflow: [['train', 1]],
  work_dir: 'work_dirs/regression',
  load_from: null,
  resume_from: null,
  auto_resume: false,
  seed: 0,
};
