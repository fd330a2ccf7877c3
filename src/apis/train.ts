/**
 * @module Port of `mmdet/apis/train.py` (`train_detector`, `auto_scale_lr`) @ v2.28.2.
 *
 * Builds the data loaders, the optimizer, the runner and its hooks from a merged config, binds the
 * val dataset's `evaluate` to the engine's EvalHook, resumes or loads weights, and runs.
 */
import { availableParallelism } from 'node:os';
import { buildDataloader, buildDataset, type DetDataset } from '../data/index.js';
import type { DataLoader } from '../data/index.js';
import type { BaseRunner, TrainingHooksConfig, Workflow } from '../engine/index.js';
import { EvalHook, findLatestCheckpoint } from '../engine/index.js';
import { buildOptimizer } from '../engine/optim/default_constructor.js';
import type { LoggerLike, TrainableModel } from '../engine/types.js';
import { RUNNERS } from '../registry/root.js';
import type { DetResult } from '../structures/det_types.js';
import { DetkitError } from '../utils/errors.js';
import type { BaseDetector } from '../models/detectors/base.js';
import { MMDataParallel, checkGpuIds } from './data_parallel/mm_data_parallel.js';
import { CheckInvalidLossHook } from './hooks/check_invalid_loss_hook.js';
import { NumClassCheckHook } from './hooks/num_class_check_hook.js';
import { singleGpuTest } from './test.js';

/** The parts of an mmdet config that `trainDetector` reads (plain data, snake_case keys). */
export interface TrainConfig {
  data: {
    samples_per_gpu?: number;
    workers_per_gpu?: number;
    train: Record<string, unknown>;
    val?: Record<string, unknown>;
    train_dataloader?: Record<string, unknown>;
    val_dataloader?: Record<string, unknown>;
  };
  optimizer: Record<string, unknown> & { type: string };
  optimizer_config?: Record<string, unknown> | null;
  lr_config?: Record<string, unknown> | null;
  momentum_config?: Record<string, unknown> | null;
  checkpoint_config?: Record<string, unknown> | null;
  log_config?: TrainingHooksConfig['log_config'];
  custom_hooks?: TrainingHooksConfig['custom_hooks_config'];
  runner?: Record<string, unknown> & { type: string };
  total_epochs?: number;
  workflow?: Workflow;
  evaluation?: Record<string, unknown> | null;
  work_dir: string;
  resume_from?: string | null;
  load_from?: string | null;
  auto_resume?: boolean;
  auto_scale_lr?: { enable?: boolean; base_batch_size?: number } | null;
  seed?: number | null;
  /**
   * Devices (threads) to train on, set by `detkit train --gpus/--gpu-ids/--gpu-id` or by the config
   * (detkit extension); default `[0]`. More than one wraps the model in `MMDataParallel`.
   */
  gpu_ids?: number[];
  /** The model config; replicas build from it when `gpu_ids` has more than one device. */
  model?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Options of {@link trainDetector} (mmdet keyword arguments). */
export interface TrainDetectorOptions {
  /** Multi-process training is not available yet; must be false. */
  distributed?: boolean;
  /** Register the EvalHook on `data.val`. Default false (as mmdet). */
  validate?: boolean;
  timestamp?: string;
  meta?: Record<string, unknown>;
  logger?: LoggerLike;
  /** The config's `custom_imports` as absolute paths or package names, loaded by replica threads. */
  custom_imports?: string[];
}

/** Keys of `evaluation` that configure the hook; the rest go to `dataset.evaluate`. */
const EVAL_HOOK_KEYS = ['interval', 'start', 'by_epoch', 'save_best', 'rule', 'greater_keys', 'less_keys', 'out_dir', 'dynamic_intervals'];

/**
 * mmdet `auto_scale_lr`: scales `optimizer.lr` by `num_gpus × samples_per_gpu / base_batch_size`
 * when enabled (`num_gpus = len(cfg.gpu_ids)`, as mmdet 2.28 for non-distributed training).
 * @returns the (possibly new) lr
 */
export function autoScaleLr(cfg: TrainConfig, log?: (msg: string) => void): number {
  const lr = cfg.optimizer.lr as number;
  const a = cfg.auto_scale_lr;
  if (a == null || a.enable !== true) return lr;
  if (a.base_batch_size === undefined) {
    throw new DetkitError('CONFIG_MISSING_KEY', 'auto_scale_lr.enable is set but auto_scale_lr.base_batch_size is missing', { configPath: 'auto_scale_lr.base_batch_size' });
  }
  const batch = (cfg.gpu_ids?.length ?? 1) * samplesPerGpu(cfg);
  if (batch === a.base_batch_size) return lr;
  const scaled = (lr * batch) / a.base_batch_size;
  log?.(`LR has been automatically scaled from ${lr} to ${scaled}`);
  cfg.optimizer.lr = scaled;
  return scaled;
}

/** Images per device of the train loader (`data.train_dataloader.samples_per_gpu`, else `data.samples_per_gpu`, else 2). */
function samplesPerGpu(cfg: TrainConfig): number {
  return (cfg.data.train_dataloader?.samples_per_gpu as number | undefined) ?? cfg.data.samples_per_gpu ?? 2;
}

/** Total detections of a result list (for the "no detections" warning). */
function countDetections(results: DetResult[]): number {
  return results.reduce((s, r) => s + r.bbox.reduce((t, c) => t + c.length / 5, 0), 0);
}

/**
 * Trains a detector as mmdet's `train_detector`.
 * @param model a built detector (weights initialised)
 * @param datasets the train dataset, and the val dataset built with the train pipeline when the
 *   workflow has a `val` phase
 * @param cfg the merged config as plain data
 * @returns the runner after `run` finished
 */
export async function trainDetector(model: BaseDetector, datasets: DetDataset[], cfg: TrainConfig, options: TrainDetectorOptions = {}): Promise<BaseRunner> {
  if (options.distributed === true) throw new DetkitError('DIST_UNSUPPORTED', 'distributed training is not available in detkit yet');
  const runnerCfg = cfg.runner ?? (cfg.total_epochs !== undefined ? { type: 'EpochBasedRunner', max_epochs: cfg.total_epochs } : undefined);
  if (runnerCfg === undefined) throw new DetkitError('CONFIG_MISSING_KEY', 'the config has no `runner` (e.g. runner = {type: "EpochBasedRunner", max_epochs: 12})', { configPath: 'runner' });
  const seed = cfg.seed ?? 0;
  const gpuIds = checkGpuIds(cfg.gpu_ids ?? [0]);
  const numGpus = gpuIds.length;
  // mmdet build_dataloader(num_gpus, dist=False): one loader batch feeds every device.
  const trainLoaderCfg = {
    workers_per_gpu: cfg.data.workers_per_gpu ?? 2,
    seed,
    runner_type: runnerCfg.type,
    ...(cfg.data.train_dataloader ?? {}),
    samples_per_gpu: samplesPerGpu(cfg),
    num_gpus: numGpus,
  } as Parameters<typeof buildDataloader>[1];
  const loaders: DataLoader[] = datasets.map((ds) => buildDataloader(ds, trainLoaderCfg));
  autoScaleLr(cfg, (m) => options.logger?.info(m));
  const optimizer = buildOptimizer(model, cfg.optimizer as never, (m) => options.logger?.warn(m));
  let trained: TrainableModel = model;
  let parallel: MMDataParallel | null = null;
  if (numGpus > 1) {
    if (cfg.model === undefined) throw new DetkitError('CONFIG_MISSING_KEY', `training on ${numGpus} devices (gpu_ids) builds replicas from cfg.model, which is missing`, { configPath: 'model' });
    parallel = new MMDataParallel(model, { device_ids: gpuIds, model_cfg: cfg.model, ...(options.custom_imports !== undefined ? { custom_imports: options.custom_imports } : {}) });
    trained = parallel;
  }
  const closers: Array<() => Promise<void>> = loaders.map((l) => () => l.close());
  if (parallel !== null) closers.push(() => parallel.close());
  try {
    const runner = RUNNERS.build<BaseRunner>(
      { ...runnerCfg },
      { model: trained, optimizer, work_dir: cfg.work_dir, meta: options.meta ?? {}, ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}), ...(options.logger !== undefined ? { logger: options.logger } : {}) },
      { path: 'runner' },
    );
    const cores = availableParallelism();
    runner.logger.info(
      numGpus === 1
        ? 'Training on 1 device (the main thread)'
        : `Training on ${numGpus} devices (gpu_ids ${JSON.stringify(gpuIds)}): the main thread and ${numGpus - 1} replica thread${numGpus > 2 ? 's' : ''}, ${samplesPerGpu(cfg)} image${samplesPerGpu(cfg) === 1 ? '' : 's'} each per iteration`,
    );
    if (numGpus > cores) runner.logger.warn(`gpu_ids asks for ${numGpus} devices on a host with ${cores} cores: the threads share cores, which is slower than ${cores} devices`);

    const customHooks = cfg.custom_hooks == null ? [] : Array.isArray(cfg.custom_hooks) ? cfg.custom_hooks : [cfg.custom_hooks];
    runner.registerTrainingHooks({
      lr_config: cfg.lr_config ?? null,
      optimizer_config: cfg.optimizer_config ?? null,
      checkpoint_config: cfg.checkpoint_config ?? null,
      log_config: cfg.log_config ?? null,
      momentum_config: cfg.momentum_config ?? null,
      custom_hooks_config: customHooks,
    });
    // detkit: a NaN/Inf loss stops the run before the optimizer applies it (VERY_HIGH runs before OptimizerHook).
    if (!runner.hooks.some((h) => h instanceof CheckInvalidLossHook)) runner.registerHook(new CheckInvalidLossHook(), 'VERY_HIGH');
    for (const h of runner.hooks) if (h instanceof NumClassCheckHook) h.classesByMode.train = datasets[0].CLASSES;

    if (options.validate === true) {
      if (cfg.data.val === undefined) throw new DetkitError('CONFIG_MISSING_KEY', 'validation needs data.val', { configPath: 'data.val' });
      const valDataset = buildDataset(cfg.data.val as never, { test_mode: true }, 'data.val');
      for (const h of runner.hooks) if (h instanceof NumClassCheckHook) h.classesByMode.val = valDataset.CLASSES;
      const valLoader = buildDataloader(valDataset, {
        samples_per_gpu: 1,
        workers_per_gpu: cfg.data.workers_per_gpu ?? 2,
        shuffle: false,
        seed,
        ...(cfg.data.val_dataloader ?? {}),
      } as Parameters<typeof buildDataloader>[1]);
      closers.push(() => valLoader.close());
      const evalCfg = { ...(cfg.evaluation ?? {}) };
      const evalKwargs: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(evalCfg)) if (!EVAL_HOOK_KEYS.includes(k)) evalKwargs[k] = v;
      const hookCfg: Record<string, unknown> = {};
      for (const k of EVAL_HOOK_KEYS) if (k in evalCfg) hookCfg[k] = evalCfg[k];
      const evaluate = async (): Promise<Record<string, number | string>> => {
        const results = await singleGpuTest(model, valLoader, { total: valDataset.length });
        if (countDetections(results) === 0) {
          runner.logger.warn(
            `The model produced no detections at all on the ${results.length} val images (epoch ${runner.epoch + 1}); ` +
              'training may be too short, the LR too high, or score_thr in test_cfg too high.',
          );
        }
        if (valDataset.evaluate === undefined) throw new DetkitError('EVAL_UNSUPPORTED', `the val dataset has no evaluate()`, { configPath: 'data.val.type' });
        return valDataset.evaluate(results, { ...evalKwargs, log: (line: string) => runner.logger.info(line) });
      };
      runner.registerHook(
        new EvalHook({ ...hookCfg, by_epoch: runnerCfg.type !== 'IterBasedRunner', evaluate, dataloader_length: valLoader.length } as never),
        'LOW',
      );
    }

    let resumeFrom = cfg.resume_from ?? null;
    if (resumeFrom === null && cfg.auto_resume === true) resumeFrom = findLatestCheckpoint(runner.work_dir, runner.logger);
    if (resumeFrom !== null) runner.resume(resumeFrom);
    else if (cfg.load_from != null) runner.loadCheckpoint(cfg.load_from, { strict: false });
    await runner.run(loaders, cfg.workflow ?? [['train', 1]]);
    return runner;
  } finally {
    for (const close of closers) await close();
  }
}
