/**
 * @module The LR / momentum curve a config produces, without training: the schedule hooks run
 * against a probe runner that walks mmcv's hook stages (used by `detkit vis-scheduler` and the
 * golden LR tests). Port of the idea of mmcv's `tools/analysis_tools/... vis_lr` scripts.
 *
 * Stage order (as mmcv 1.7's runners call them, hooks sorted by priority, LR hook first):
 * - EpochBasedRunner: `before_run`; per epoch `before_train_epoch`, per iteration
 *   `before_train_iter` → (read lr / momentum) → `after_train_iter`; `after_train_epoch`; `after_run`.
 * - IterBasedRunner: `before_run`, `before_epoch` (generic: LR hooks ignore it), per iteration
 *   `before_train_iter` → (read) → `after_train_iter`, then `after_epoch`, `after_run`; `runner.epoch`
 *   lags one iteration behind each loader wrap-around, as mmcv's `IterLoader`.
 */
import { DetkitError, ValueError } from '../../utils/errors.js';
import type { LrUpdaterHook } from '../hooks/lr_updater.js';
import type { MomentumUpdaterHook } from '../hooks/momentum_updater.js';
import { Priority } from '../hooks/priority.js';
import { buildLrUpdaterHook, buildMomentumUpdaterHook, type PolicyConfig } from '../hooks/schedule_index.js';
import type { RunnerLike } from '../types.js';
import { instantiateOptimizer, type OptimizerConfig } from './default_constructor.js';
import type { Optimizer } from './types.js';

/** A schedule hook as the probe runs it (synchronous stages). */
export type ScheduleHookLike = LrUpdaterHook | MomentumUpdaterHook;

/** What one simulated run needs. */
export interface ScheduleRun {
  /** Hooks in priority order (LR first, then momentum). */
  hooks: ScheduleHookLike[];
  optimizer: Optimizer;
  runnerType: 'EpochBasedRunner' | 'IterBasedRunner';
  /** EpochBasedRunner length. */
  maxEpochs?: number;
  /** IterBasedRunner length. */
  maxIters?: number;
  /** `len(data_loader)`. */
  itersPerEpoch: number;
}

/** Per training iteration: lr and momentum of param group 0 as a LOWEST-priority hook reads them. */
export interface ScheduleCurve {
  lr: number[];
  momentum: number[];
}

/** Momentum of a group as `runner.current_momentum()` reports it (`momentum`, `betas[0]`, else 0). */
function momentumOf(optimizer: Optimizer): number {
  const g = optimizer.paramGroups[0];
  if (g === undefined) return 0;
  if ('momentum' in g && g.momentum !== undefined) return g.momentum;
  if (g.betas !== undefined) return g.betas[0];
  return 0;
}

/**
 * Runs the hooks through a whole training schedule on a probe runner.
 * Porting note: the probe carries only what schedule hooks read (counters, lengths, optimizer);
 * it is not a full runner.
 */
export function runSchedule(run: ScheduleRun): ScheduleCurve {
  const L = run.itersPerEpoch;
  if (!(Number.isInteger(L) && L > 0)) throw new ValueError('SCHEDULE_EPOCH_LENGTH', `iterations per epoch must be a positive integer, got ${L}`);
  const isEpoch = run.runnerType === 'EpochBasedRunner';
  const maxEpochs = isEpoch ? (run.maxEpochs ?? 0) : 0;
  const maxIters = isEpoch ? maxEpochs * L : (run.maxIters ?? 0);
  const probe = {
    optimizer: run.optimizer,
    mode: 'train' as const,
    epoch: 0,
    iter: 0,
    inner_iter: 0,
    max_epochs: maxEpochs,
    max_iters: maxIters,
    data_loader: { length: L },
    runnerType: run.runnerType,
  };
  const runner = probe as unknown as RunnerLike;
  const curve: ScheduleCurve = { lr: [], momentum: [] };
  const read = (): void => {
    curve.lr.push(run.optimizer.paramGroups[0]?.lr ?? 0);
    curve.momentum.push(momentumOf(run.optimizer));
  };
  for (const h of run.hooks) h.before_run(runner);
  if (isEpoch) {
    while (probe.epoch < maxEpochs) {
      for (const h of run.hooks) h.before_train_epoch(runner);
      for (let i = 0; i < L; i++) {
        probe.inner_iter = i;
        for (const h of run.hooks) h.before_train_iter(runner);
        read();
        for (const h of run.hooks) h.after_train_iter(runner);
        probe.iter += 1;
      }
      for (const h of run.hooks) h.after_train_epoch(runner);
      probe.epoch += 1;
    }
  } else {
    for (const h of run.hooks) h.before_epoch(runner);
    while (probe.iter < maxIters) {
      probe.epoch = probe.iter === 0 ? 0 : Math.floor((probe.iter - 1) / L);
      probe.inner_iter = 0;
      for (const h of run.hooks) h.before_train_iter(runner);
      read();
      for (const h of run.hooks) h.after_train_iter(runner);
      probe.iter += 1;
    }
    for (const h of run.hooks) h.after_epoch(runner);
  }
  for (const h of run.hooks) h.after_run(runner);
  return curve;
}

/** The config keys {@link simulateSchedule} reads (an mmdet 2.x config, as a plain object). */
export interface ScheduleConfig {
  optimizer?: OptimizerConfig;
  lr_config?: PolicyConfig | null;
  momentum_config?: PolicyConfig | null;
  runner?: { type: string; max_epochs?: number; max_iters?: number };
  /** mmdet < 2.10 configs: epochs when `runner` is absent. */
  total_epochs?: number;
  data?: { samples_per_gpu?: number; [key: string]: unknown };
  /** Devices a batch feeds (`detkit train --gpus N`): a batch is `samples_per_gpu × len(gpu_ids)` images. */
  gpu_ids?: number[];
  [key: string]: unknown;
}

function need<T>(v: T | undefined | null, key: string, what: string): T {
  if (v === undefined || v === null) throw new DetkitError('SCHEDULE_CONFIG', `the config has no ${key} (${what})`, { configPath: key });
  return v;
}

/**
 * The LR and momentum of param group 0 for every training iteration of a config's schedule.
 * Iterations per epoch = `ceil(datasetSize / (data.samples_per_gpu × len(gpu_ids)))`; the optimizer is built with no
 * parameters (only its param-group hyper-parameters matter). IterBasedRunner configs get
 * `lr_config.by_epoch = false` unless set, as mmcv's `IterBasedRunner.register_training_hooks`.
 * @example
 * const { lr } = simulateSchedule(cfg.toDict(), 118287);
 * @throws DetkitError `SCHEDULE_CONFIG` when `optimizer`, `runner` or `data.samples_per_gpu` is missing
 */
export function simulateSchedule(cfg: ScheduleConfig, datasetSize: number): ScheduleCurve {
  if (!(Number.isInteger(datasetSize) && datasetSize > 0)) throw new ValueError('SCHEDULE_DATASET_SIZE', `dataset size must be a positive integer, got ${datasetSize}`);
  const optimizerCfg = need(cfg.optimizer, 'optimizer', 'e.g. dict(type="SGD", lr=0.02, momentum=0.9)');
  const runnerCfg = cfg.runner ?? (cfg.total_epochs !== undefined ? { type: 'EpochBasedRunner', max_epochs: cfg.total_epochs } : undefined);
  const r = need(runnerCfg, 'runner', 'dict(type="EpochBasedRunner", max_epochs=12) or dict(type="IterBasedRunner", max_iters=N)');
  const spg = need(cfg.data?.samples_per_gpu, 'data.samples_per_gpu', 'images per batch') * (cfg.gpu_ids?.length ?? 1);
  if (r.type !== 'EpochBasedRunner' && r.type !== 'IterBasedRunner') {
    throw new ValueError('SCHEDULE_RUNNER', `runner.type must be EpochBasedRunner or IterBasedRunner, got ${String(r.type)}`, { configPath: 'runner.type' });
  }
  const isIter = r.type === 'IterBasedRunner';
  const { paramwise_cfg: _p, ...optArgs } = optimizerCfg;
  delete (optArgs as { constructor?: unknown }).constructor;
  const optimizer = instantiateOptimizer(optArgs as OptimizerConfig, new Map());
  if (optimizer.paramGroups.length === 0) throw new DetkitError('SCHEDULE_CONFIG', 'the optimizer has no param group');
  const hooks: Array<[number, ScheduleHookLike]> = [];
  if (cfg.lr_config !== undefined && cfg.lr_config !== null) {
    const lrCfg = isIter && !('by_epoch' in cfg.lr_config) ? { ...cfg.lr_config, by_epoch: false } : cfg.lr_config;
    hooks.push([Priority.VERY_HIGH, buildLrUpdaterHook(lrCfg)]);
  }
  if (cfg.momentum_config !== undefined && cfg.momentum_config !== null) hooks.push([Priority.HIGH, buildMomentumUpdaterHook(cfg.momentum_config)]);
  return runSchedule({
    hooks: hooks.sort((a, b) => a[0] - b[0]).map(([, h]) => h),
    optimizer,
    runnerType: r.type,
    ...(isIter ? { maxIters: need(r.max_iters, 'runner.max_iters', 'length of an IterBasedRunner run') } : { maxEpochs: need(r.max_epochs, 'runner.max_epochs', 'length of an EpochBasedRunner run') }),
    itersPerEpoch: Math.ceil(datasetSize / spg),
  });
}
