/**
 * @module Port of mmdetection's `tools/train.py` `main()` @ v2.28.2 as a function, so the CLI and
 * tests share it: config → work_dir, log file, meta, seed → model → datasets → `trainDetector`.
 */
import { mkdirSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { initBackend } from '../backend/index.js';
import { Config, replaceCfgVals } from '../config/index.js';
import { parseCfgOptions } from '../config/dict_action.js';
import { buildDataset, type DetDataset } from '../data/index.js';
import type { BaseRunner } from '../engine/index.js';
import { RunLogger } from '../engine/logging/logger.js';
import { pyTimestamp } from '../engine/logging/py_format.js';
import type { BaseDetector } from '../models/detectors/base.js';
import { DETECTORS } from '../registry/root.js';
import { collectEnv, detkitVersion } from '../utils/env.js';
import { Rng } from '../utils/rng.js';
import { replicaImports } from './data_parallel/mm_data_parallel.js';
import { initRandomSeed } from './seed.js';
import { trainDetector, type TrainConfig } from './train.js';

/** Options of {@link trainFromConfig}: tools/train.py's command-line options. */
export interface TrainMainOptions {
  config: string;
  work_dir?: string | undefined;
  resume_from?: string | undefined;
  auto_resume?: boolean | undefined;
  no_validate?: boolean | undefined;
  seed?: number | undefined;
  deterministic?: boolean | undefined;
  cfg_options?: string[] | undefined;
  auto_scale_lr?: boolean | undefined;
  /** `--gpus N`: train on devices `[0, N)` (threads; see `MMDataParallel`). */
  gpus?: number | undefined;
  /** `--gpu-ids A B ...`: train on these devices. */
  gpu_ids?: number[] | undefined;
  /** `--gpu-id A`: train on this one device. */
  gpu_id?: number | undefined;
}

/**
 * Builds the detector of `cfg.model` and initialises its weights from `seed` (mmdet
 * `build_detector` + `init_weights`).
 */
export function buildDetector(modelCfg: Record<string, unknown>, seed: number): BaseDetector {
  const model = DETECTORS.build<BaseDetector>(modelCfg as { type: string }, undefined, { path: 'model' });
  model.initWeights(new Rng(seed));
  return model;
}

/** Runs a training as `python tools/train.py CONFIG [options]` does. */
export async function trainFromConfig(opts: TrainMainOptions): Promise<BaseRunner> {
  // mmdet order: load, resolve `${key}` references, then apply --cfg-options.
  const cfgObj = replaceCfgVals(await Config.fromFile(opts.config));
  if (opts.cfg_options !== undefined && opts.cfg_options.length > 0) cfgObj.mergeFromDict(parseCfgOptions(opts.cfg_options));
  if (opts.auto_scale_lr === true) cfgObj.mergeFromDict({ 'auto_scale_lr.enable': true });
  const stem = basename(opts.config, extname(opts.config));
  const workDir = resolve(opts.work_dir ?? (cfgObj.get('work_dir', null) as string | null) ?? join('work_dirs', stem));
  const merged: Record<string, unknown> = { work_dir: workDir };
  if (opts.resume_from !== undefined) merged.resume_from = opts.resume_from;
  if (opts.auto_resume === true) merged.auto_resume = true;
  // tools/train.py of earlier mmdet 2.x releases (2.28 warns and keeps one GPU): --gpu-ids, else range(--gpus), else [--gpu-id], else the config's gpu_ids, else [0].
  if (opts.gpu_ids !== undefined) merged.gpu_ids = [...opts.gpu_ids];
  else if (opts.gpus !== undefined) merged.gpu_ids = Array.from({ length: opts.gpus }, (_, i) => i);
  else if (opts.gpu_id !== undefined) merged.gpu_ids = [opts.gpu_id];
  else if (cfgObj.get('gpu_ids', undefined) === undefined) merged.gpu_ids = [0];
  cfgObj.mergeFromDict(merged);
  mkdirSync(workDir, { recursive: true });
  cfgObj.dump(join(workDir, basename(opts.config)));
  const timestamp = pyTimestamp();
  const logger = new RunLogger({ log_file: join(workDir, `${timestamp}.log`) });
  const env = collectEnv();
  const envInfo = Object.entries(env).map(([k, v]) => `${k}: ${v}`).join('\n');
  const dash = '-'.repeat(60);
  logger.info(`Environment info:\n${dash}\n${envInfo}\n${dash}\n`);
  logger.info(`Distributed training: false`);
  logger.info(`Config:\n${cfgObj.prettyText}`);
  const backend = await initBackend();
  logger.info(`tfjs backend: ${backend}`);
  const cfg = cfgObj.toDict() as unknown as TrainConfig & { model: Record<string, unknown> };
  const seed = initRandomSeed(opts.seed ?? cfg.seed ?? null);
  logger.info(`Set random seed to ${seed}, deterministic: ${opts.deterministic === true}`);
  cfg.seed = seed;
  const meta: Record<string, unknown> = { env_info: envInfo, config: cfgObj.prettyText, seed, exp_name: basename(opts.config) };
  const model = buildDetector(cfg.model, seed);
  const datasets: DetDataset[] = [buildDataset(cfg.data.train as never, undefined, 'data.train')];
  if ((cfg.workflow ?? []).length === 2) {
    // mmdet: the val phase of the workflow computes losses, so it uses the train pipeline.
    const valCfg = { ...(cfg.data.val as Record<string, unknown>), pipeline: (cfg.data.train as { pipeline?: unknown }).pipeline };
    datasets.push(buildDataset(valCfg as never, undefined, 'data.val'));
  }
  model.CLASSES = [...datasets[0].CLASSES];
  if (cfg.checkpoint_config != null) {
    cfg.checkpoint_config.meta = { detkit_version: detkitVersion(), CLASSES: [...datasets[0].CLASSES] };
  }
  try {
    const custom_imports = replicaImports(cfgObj.get('custom_imports', undefined), cfgObj.filename);
    return await trainDetector(model, datasets, cfg, { validate: opts.no_validate !== true, timestamp, meta, logger, custom_imports });
  } finally {
    model.dispose();
  }
}
