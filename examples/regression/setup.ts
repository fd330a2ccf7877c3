/**
 * @module Builds everything a run of the regression example needs from its config, the way
 * mmdet's `train_detector` does for detectors: model, optimizer, loaders, runner, hooks, resume.
 */
import { basename, resolve } from 'node:path';
import { Config } from '../../src/config/index.js';
import { HOOKS, RUNNERS } from '../../src/registry/root.js';
import '../../src/engine/index.js';
import * as lrHooks from '../../src/engine/hooks/lr_updater.js';
import { OptimizerHook } from '../../src/engine/hooks/optimizer.js';
import { buildOptimizer } from '../../src/engine/optim/default_constructor.js';
import { EvalHook, findLatestCheckpoint, type BaseRunner, type TrainingHooksConfig, type Workflow } from '../../src/engine/index.js';
import type { Optimizer } from '../../src/engine/optim/types.js';
import { parseCfgOptions } from '../../src/config/dict_action.js';
import { MLPRegressor, type MLPConfig } from './model.js';
import { RegressionLoader } from './data.js';

// The LR and optimizer hooks are registered by the engine's list once it includes them; until
// then the example registers them itself (a no-op when they are already there).
for (const H of [...Object.values(lrHooks), OptimizerHook]) {
  const type = (H as { type?: unknown }).type;
  if (typeof H === 'function' && typeof type === 'string' && /(LrUpdaterHook|OptimizerHook)$/.test(type) && type !== 'LrUpdaterHook' && !HOOKS.has(type)) {
    HOOKS.register(type, H as new (cfg: Record<string, unknown>) => unknown);
  }
}

/** Command-line options of `train.ts`. */
export interface TrainOptions {
  config: string;
  work_dir?: string | undefined;
  auto_resume?: boolean | undefined;
  resume_from?: string | undefined;
  cfg_options?: string[] | undefined;
  /** Sleep this many ms after each iteration (simulates a slower model; used by the resume test). */
  iter_delay_ms?: number | undefined;
}

/** A built run. */
export interface Run {
  runner: BaseRunner;
  model: MLPRegressor;
  optimizer: Optimizer;
  loaders: RegressionLoader[];
  workflow: Workflow;
  resumedFrom: string | null;
}

interface ExampleConfig {
  model: MLPConfig;
  data: { samples_per_gpu: number; train: { num_batches: number; seed: number }; val: { num_batches: number; seed: number } };
  optimizer: Record<string, unknown> & { type: string };
  runner: Record<string, unknown> & { type: string };
  workflow: Workflow;
  work_dir: string;
  load_from: string | null;
  resume_from: string | null;
  auto_resume: boolean;
  evaluation: Record<string, unknown> | null;
  custom_hooks: TrainingHooksConfig['custom_hooks_config'];
  seed: number;
}

/** Loads the config, applies options, builds and wires the run (without starting it). */
export async function setupRun(opts: TrainOptions): Promise<Run> {
  const cfgObj = await Config.fromFile(opts.config);
  if (opts.cfg_options !== undefined && opts.cfg_options.length > 0) cfgObj.mergeFromDict(parseCfgOptions(opts.cfg_options));
  const cfg = cfgObj.toDict() as unknown as ExampleConfig & TrainingHooksConfig & Record<string, unknown>;
  const workDir = resolve(opts.work_dir ?? cfg.work_dir);
  const model = new MLPRegressor(cfg.model);
  const optimizer = buildOptimizer(model, cfg.optimizer as never);
  const meta = { exp_name: basename(opts.config), seed: cfg.seed, config: cfgObj.prettyText };
  const runner = RUNNERS.build<BaseRunner>({ ...cfg.runner }, { model, optimizer, work_dir: workDir, meta });
  runner.registerTrainingHooks({
    lr_config: (cfg.lr_config as Record<string, unknown> | null) ?? null,
    optimizer_config: (cfg.optimizer_config as Record<string, unknown> | null) ?? null,
    checkpoint_config: (cfg.checkpoint_config as Record<string, unknown> | null) ?? null,
    log_config: (cfg.log_config as TrainingHooksConfig['log_config']) ?? null,
    custom_hooks_config: cfg.custom_hooks ?? null,
  });
  const mk = (split: { num_batches: number; seed: number }, shuffle: boolean): RegressionLoader =>
    new RegressionLoader({ num_batches: split.num_batches, batch_size: cfg.data.samples_per_gpu, in_features: cfg.model.in_features, seed: split.seed, shuffle });
  const train = mk(cfg.data.train, true);
  const val = mk(cfg.data.val, false);
  if (cfg.evaluation !== null && cfg.evaluation !== undefined) {
    const evaluate = async (): Promise<Record<string, number>> => {
      let se = 0;
      let n = 0;
      for await (const b of val) {
        const out = model.val_step(b);
        se += out.loss * b.n;
        n += b.n;
      }
      return { mse: se / n };
    };
    const by_epoch = cfg.runner.type !== 'IterBasedRunner';
    runner.registerHook(new EvalHook({ ...(cfg.evaluation as object), evaluate, by_epoch, dataloader_length: val.length }), 'LOW');
  }
  if (opts.iter_delay_ms !== undefined && opts.iter_delay_ms > 0) {
    const ms = opts.iter_delay_ms;
    runner.registerHook(Object.assign(new (HOOKS.get('ClosureHook') as new (c: object) => import('../../src/engine/index.js').Hook)({ fn_name: 'after_train_iter', fn: () => new Promise((r) => setTimeout(r, ms)) })), 'LOWEST');
  }
  let resumeFrom = opts.resume_from ?? cfg.resume_from;
  if ((resumeFrom === null || resumeFrom === undefined) && (opts.auto_resume === true || cfg.auto_resume)) {
    resumeFrom = findLatestCheckpoint(workDir, runner.logger);
  }
  if (resumeFrom !== null && resumeFrom !== undefined) runner.resume(resumeFrom);
  else if (cfg.load_from !== null) runner.loadCheckpoint(cfg.load_from);
  return { runner, model, optimizer, loaders: [train], workflow: cfg.workflow, resumedFrom: resumeFrom ?? null };
}
