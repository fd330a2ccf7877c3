/**
 * @module Port of `mmcv/runner/base_runner.py` @ v1.7.2: state, hooks and checkpoints shared by
 * {@link EpochBasedRunner} and {@link IterBasedRunner}.
 *
 * The loops live in the subclasses; checkpoint I/O lives in `../checkpoint/`; everything a run
 * does beyond looping (LR, optimizer steps, checkpoints, timing, logging, eval) is a hook.
 */
import { mkdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { HOOKS } from '../../registry/root.js';
import type { Registry } from '../../registry/registry.js';
import { AssertionError_, DetkitError, TypeError_, ValueError } from '../../utils/errors.js';
import { Hook, HOOK_STAGES, type HookStage } from '../hooks/hook.js';
import { getPriority, priorityName } from '../hooks/priority.js';
import { LogBuffer } from '../log_buffer.js';
import { RunLogger } from '../logging/logger.js';
import { pyTimestamp } from '../logging/py_format.js';
import type { Optimizer } from '../optim/types.js';
import type { DataLoaderLike, LoggerLike, RunnerLike, StepOutputs, TrainableModel } from '../types.js';
import { loadCheckpoint, saveCheckpoint, type LoadCheckpointOptions, type LoadedCheckpoint } from '../checkpoint/checkpoint.js';
import { collectHookStates, restoreHookStates } from '../checkpoint/hook_states.js';
import { registerTrainingHooks, type TrainingHooksConfig } from './training_hooks.js';

export type { HookSpec, TrainingHooksConfig } from './training_hooks.js';

/** `[mode, epochs or iters]` pairs, e.g. `[['train', 1], ['val', 1]]`. */
export type Workflow = ReadonlyArray<readonly [string, number]>;

/** Options of every runner (mmcv `BaseRunner.__init__`, keys kept snake_case as in `runner=dict(...)`). */
export interface BaseRunnerOptions {
  /** What is trained: provides `train_step`/`val_step`. */
  model: TrainableModel;
  optimizer?: Optimizer | null;
  /** Where logs and checkpoints go; made absolute and created. `null`: nothing is written. */
  work_dir?: string | null;
  /** Default: a {@link RunLogger} writing to stdout and `work_dir/<timestamp>.log`. */
  logger?: LoggerLike;
  /** Run metadata saved into checkpoints and dumped as the first `.log.json` line. */
  meta?: Record<string, unknown> | null;
  max_iters?: number | null;
  max_epochs?: number | null;
  /** Run timestamp (`%Y%m%d_%H%M%S`); mmdet passes one so `.log` and `.log.json` share a name. */
  timestamp?: string;
  /** Registry hooks are built from. Default `HOOKS`. */
  hook_registry?: Registry;
}

function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/**
 * State and services of a runner: counters, hooks (priority-ordered), the log buffer, the
 * logger, checkpoint save/load/resume. Subclasses implement `run`.
 */
export abstract class BaseRunner implements RunnerLike {
  readonly model: TrainableModel;
  readonly optimizer: Optimizer | null;
  readonly logger: LoggerLike;
  readonly work_dir: string;
  readonly timestamp: string;
  readonly log_buffer = new LogBuffer();
  meta: Record<string, unknown>;
  mode: 'train' | 'val' | null = null;
  data_loader: DataLoaderLike | null = null;
  /** The batch of the current iteration (mmcv `runner.data_batch`); null between iterations. */
  data_batch: unknown = null;
  outputs: StepOutputs | null = null;
  should_stop = false;
  readonly rank = 0;
  readonly world_size = 1;
  abstract readonly runnerType: string;

  protected _epoch = 0;
  protected _iter = 0;
  protected _inner_iter = 0;
  protected _max_epochs: number;
  protected _max_iters: number;
  /** Completed training iterations / epochs, as checkpoints record them (mmengine semantics). */
  protected completedIters = 0;
  protected completedEpochs = 0;
  private readonly _hooks: Hook[] = [];
  private readonly hookRegistry: Registry;

  constructor(options: BaseRunnerOptions) {
    const { model } = options;
    if (typeof (model as Partial<TrainableModel>)?.train_step !== 'function') {
      throw new AssertionError_('RUNNER_BAD_MODEL', 'model must have a train_step method');
    }
    this.model = model;
    this.optimizer = options.optimizer ?? null;
    const meta = options.meta ?? {};
    if (typeof meta !== 'object' || Array.isArray(meta)) {
      throw new TypeError_('RUNNER_BAD_META', `meta must be a dict or None, but got ${typeof meta}`);
    }
    this.meta = meta;
    const workDir = options.work_dir ?? null;
    if (workDir !== null && typeof workDir !== 'string') throw new TypeError_('RUNNER_BAD_WORK_DIR', '"work_dir" must be a str or None');
    this.work_dir = workDir === null ? '' : resolve(workDir);
    if (this.work_dir !== '') mkdirSync(this.work_dir, { recursive: true });
    this.timestamp = options.timestamp ?? pyTimestamp();
    this.logger = options.logger ?? new RunLogger({ log_file: this.work_dir === '' ? null : join(this.work_dir, `${this.timestamp}.log`) });
    const maxEpochs = options.max_epochs ?? null;
    const maxIters = options.max_iters ?? null;
    if (maxEpochs !== null && maxIters !== null) {
      throw new ValueError('RUNNER_MAX_BOTH', 'Only one of `max_epochs` or `max_iters` can be set.');
    }
    for (const [k, v] of [['max_epochs', maxEpochs], ['max_iters', maxIters]] as const) {
      if (v !== null && !isPositiveInt(v)) throw new ValueError('RUNNER_BAD_MAX', `${k} must be a positive integer, got ${String(v)}`, { configPath: `runner.${k}` });
    }
    this._max_epochs = maxEpochs ?? 0;
    this._max_iters = maxIters ?? 0;
    this.hookRegistry = options.hook_registry ?? HOOKS;
  }

  get epoch(): number {
    return this._epoch;
  }
  get iter(): number {
    return this._iter;
  }
  get inner_iter(): number {
    return this._inner_iter;
  }
  get max_epochs(): number {
    return this._max_epochs;
  }
  get max_iters(): number {
    return this._max_iters;
  }
  get hooks(): readonly Hook[] {
    return this._hooks;
  }
  /** Class name of the model; of `model.module` for a module wrapper (mmcv `is_module_wrapper`). */
  get model_name(): string {
    const inner = (this.model as { module?: unknown }).module;
    return (typeof inner === 'object' && inner !== null ? inner : this.model).constructor.name;
  }

  /** Runs the workflow; resolves when training ends. */
  abstract run(data_loaders: DataLoaderLike[], workflow: Workflow): Promise<void>;

  /** Whether checkpoints are named by epoch (`epoch_{}`) unless a caller says otherwise. */
  protected abstract readonly checkpointsByEpoch: boolean;

  /** `lr` of each param group. @throws DetkitError `RUNNER_NO_OPTIMIZER` without an optimizer */
  current_lr(): number[] {
    if (this.optimizer === null) throw new DetkitError('RUNNER_NO_OPTIMIZER', 'lr is not applicable because optimizer does not exist.');
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Momentum of each group: `momentum`, else `betas[0]`, else 0. */
  current_momentum(): number[] {
    if (this.optimizer === null) throw new DetkitError('RUNNER_NO_OPTIMIZER', 'momentum is not applicable because optimizer does not exist.');
    return this.optimizer.paramGroups.map((g) => g.momentum ?? g.betas?.[0] ?? 0);
  }

  /**
   * Inserts `hook` by priority (lower runs earlier); among equal priorities, registration order.
   * @throws ValueError `HOOK_PRIORITY_RESERVED` if the hook already has a priority (registered twice)
   */
  registerHook(hook: Hook, priority: number | string = 'NORMAL'): void {
    if (!(hook instanceof Hook)) throw new TypeError_('HOOK_NOT_A_HOOK', `hook must be a Hook instance, got ${typeof hook}`);
    if (hook.priority !== undefined) throw new ValueError('HOOK_PRIORITY_RESERVED', '"priority" is a reserved attribute for hooks');
    const p = getPriority(priority);
    hook.priority = p;
    let i = this._hooks.length - 1;
    while (i >= 0 && this._hooks[i]!.priority! > p) i--;
    this._hooks.splice(i + 1, 0, hook);
  }

  /** Builds a hook from `cfg` (its `priority` key popped, default NORMAL) and registers it. */
  registerHookFromCfg(cfg: Record<string, unknown>, defaultArgs?: Record<string, unknown>): Hook {
    const { priority = 'NORMAL', ...rest } = cfg as { priority?: number | string };
    const hook = this.buildHook(rest as Record<string, unknown>, defaultArgs);
    this.registerHook(hook, priority);
    return hook;
  }

  /** Builds a hook from the runner's hook registry. @throws TypeError_ `HOOK_NOT_A_HOOK` */
  buildHook(cfg: Record<string, unknown>, defaultArgs?: Record<string, unknown>): Hook {
    const hook = this.hookRegistry.build<unknown>(cfg, defaultArgs);
    if (!(hook instanceof Hook)) throw new TypeError_('HOOK_NOT_A_HOOK', `${String(cfg.type)} did not build a Hook`);
    return hook;
  }

  /**
   * Registers the default training hooks in mmcv's order and priorities (engine-spec §1.4):
   * LR (VERY_HIGH) → momentum (HIGH) → optimizer (ABOVE_NORMAL) → checkpoint (NORMAL) →
   * timer (LOW) → loggers (VERY_LOW) → custom hooks (their own priority).
   */
  registerTrainingHooks(cfg: TrainingHooksConfig): void {
    registerTrainingHooks(this, cfg);
  }

  /** Calls `stage` on every hook in priority order, awaiting each in turn. */
  async callHook(stage: HookStage | 'before_epoch' | 'after_epoch'): Promise<void> {
    for (const hook of this._hooks) await hook[stage](this);
  }

  /** The per-stage hook table printed at start (mmcv `get_hook_info`, byte-compatible). */
  getHookInfo(): string {
    const blocks: string[] = [];
    for (const stage of HOOK_STAGES) {
      const lines = this._hooks
        .filter((h) => h.getTriggeredStages().includes(stage))
        .map((h) => `(${priorityName(h.priority!).padEnd(12)}) ${h.typeName.padEnd(35)}`);
      if (lines.length > 0) blocks.push(`${stage}:\n${lines.join('\n')}\n -------------------- `);
    }
    return blocks.join('\n');
  }

  /**
   * Runs one step on `batch` and records its outputs (mmcv `run_iter`). Awaits `train_step` when it
   * returns a Promise (a data-parallel wrapper computes on worker threads meanwhile).
   */
  protected async runStep(batch: unknown, trainMode: boolean, passOptimizer: boolean): Promise<void> {
    const out = trainMode
      ? await this.model.train_step(batch, this.optimizer)
      : passOptimizer
        ? this.model.val_step(batch, this.optimizer)
        : this.model.val_step(batch);
    if (typeof out !== 'object' || out === null || Array.isArray(out)) {
      throw new TypeError_('RUNNER_BAD_OUTPUTS', '"batch_processor()" or "model.train_step()"and "model.val_step()" must return a dict');
    }
    const outputs = out as StepOutputs;
    if (outputs.log_vars !== undefined) this.log_buffer.update(outputs.log_vars, outputs.num_samples ?? 1);
    this.outputs = outputs;
    if (trainMode) this.completedIters = this._iter + 1;
  }

  /**
   * Gradient ownership rule: after the `after_*_iter` hooks, every gradient still in
   * `outputs.grads` is disposed here. `OptimizerHook` consumes and disposes them first; with no
   * optimizer hook registered they are freed here, so nothing leaks. A hook that needs gradients
   * beyond the iteration (accumulation) must take them out of the map or clone them.
   */
  protected releaseOutputs(): void {
    const grads = this.outputs?.grads;
    if (grads !== undefined) {
      for (const g of grads.values()) if (!g.isDisposed) g.dispose();
      grads.clear();
    }
  }

  /** Logs the start-of-run lines (host, hook table, workflow). */
  protected logStart(workflowLine: string): void {
    this.logger.info(`Start running, host: ${userInfo().username}@${hostname()}, work_dir: ${this.work_dir === '' ? 'NONE' : this.work_dir}`);
    this.logger.info(`Hooks will be executed in the following order:\n${this.getHookInfo()}`);
    this.logger.info(workflowLine);
  }

  /** Validates `run()` arguments common to both runners. */
  protected checkRunArgs(data_loaders: DataLoaderLike[], workflow: Workflow): void {
    if (!Array.isArray(data_loaders)) throw new AssertionError_('RUNNER_BAD_LOADERS', 'data_loaders must be a list');
    if (!Array.isArray(workflow) || !workflow.every((f) => Array.isArray(f) && f.length === 2 && typeof f[1] === 'number')) {
      throw new AssertionError_('RUNNER_BAD_WORKFLOW', "workflow must be a list of [mode, count] pairs, e.g. [['train', 1]]", { configPath: 'workflow' });
    }
    if (data_loaders.length !== workflow.length) {
      throw new AssertionError_('RUNNER_WORKFLOW_LENGTH', `len(data_loaders) (${data_loaders.length}) must equal len(workflow) (${workflow.length})`, { configPath: 'workflow' });
    }
    for (const [mode] of workflow) {
      if (typeof mode !== 'string') throw new TypeError_('RUNNER_BAD_WORKFLOW', `mode in workflow must be a str, but got ${typeof mode}`, { configPath: 'workflow' });
      if (mode !== 'train' && mode !== 'val') throw new ValueError('RUNNER_BAD_WORKFLOW', `runner has no method named "${mode}" to run an epoch`, { configPath: 'workflow' });
    }
  }

  /**
   * Saves a checkpoint into `out_dir` (mmcv `save_checkpoint`): meta = argument meta, overridden by
   * `runner.meta`, overridden by the completed `epoch`/`iter`; optionally updates `latest.safetensors`.
   * @returns the absolute path written
   */
  async saveCheckpoint(
    out_dir: string,
    options: { filename_tmpl?: string; save_optimizer?: boolean; meta?: Record<string, unknown> | null; create_symlink?: boolean; by_epoch?: boolean } = {},
  ): Promise<string> {
    const argMeta = options.meta ?? {};
    if (typeof argMeta !== 'object') throw new TypeError_('CHECKPOINT_BAD_META', `meta should be a dict or None, but got ${typeof argMeta}`);
    // Porting note: epoch/iter are COMPLETED counts (mmengine); mmcv's iter_N stores iter N-1.
    const meta = { ...argMeta, ...this.meta, epoch: this.completedEpochsForSave(), iter: this.completedIters };
    const file = this.checkpointPath(out_dir, options.filename_tmpl, options.by_epoch);
    await saveCheckpoint(this.model, file, {
      optimizer: options.save_optimizer === false ? null : this.optimizer,
      meta,
      hooks: this._hooks,
      latest: options.create_symlink ?? true,
    });
    return file;
  }

  /**
   * Where `saveCheckpoint(out_dir, {filename_tmpl, by_epoch})` would write now: the template
   * (default `epoch_{}.safetensors` / `iter_{}.safetensors`) filled with `epoch + 1` or `iter + 1`.
   * Porting note: mmcv's EpochBasedRunner always fills in `epoch + 1`, so by-iteration
   * checkpoints of an epoch-based run overwrite each other; here `by_epoch=false` uses `iter + 1`.
   */
  checkpointPath(out_dir: string, filename_tmpl?: string, by_epoch: boolean = this.checkpointsByEpoch): string {
    const tmpl = filename_tmpl ?? (by_epoch ? 'epoch_{}.safetensors' : 'iter_{}.safetensors');
    return join(out_dir, tmpl.replace('{}', String(by_epoch ? this._epoch + 1 : this._iter + 1)));
  }

  /** Epoch number written into checkpoints. */
  protected completedEpochsForSave(): number {
    return this.completedEpochs;
  }

  /** Loads weights only (`load_from`); returns the checkpoint with the missing/unexpected key lists. */
  loadCheckpoint(file: string, options: Omit<LoadCheckpointOptions, 'logger'> = {}): LoadedCheckpoint {
    this.logger.info(`load checkpoint from local path: ${file}`);
    return loadCheckpoint(this.model, file, { ...options, logger: this.logger });
  }

  /**
   * Resumes training from `file`: weights, counters, optimizer state (param groups: lr,
   * initial_lr, momentum...), stateful hooks, and `meta.hook_msgs`.
   * @returns the checkpoint's meta
   * @throws FileNotFoundError `CHECKPOINT_NOT_FOUND`; DetkitError `CHECKPOINT_*` for a corrupt file
   */
  resume(file: string, options: { resume_optimizer?: boolean } = {}): Record<string, unknown> {
    const ckpt = this.loadCheckpoint(file, { keepOptimizer: true, hooks: this._hooks });
    try {
      const meta = ckpt.meta;
      this.applyResumedCounters(Number(meta.epoch ?? 0), Number(meta.iter ?? 0));
      // Porting note: mmcv replaces runner.meta wholesale (losing this run's config/env, §6.3);
      // we keep the current meta and restore only `hook_msgs` (best score, last/best ckpt).
      const hookMsgs = (this.meta.hook_msgs ?? {}) as Record<string, unknown>;
      this.meta.hook_msgs = { ...hookMsgs, ...((meta.hook_msgs ?? {}) as Record<string, unknown>) };
      if (ckpt.optimizer !== null && options.resume_optimizer !== false && this.optimizer !== null) {
        this.optimizer.loadStateDict(ckpt.optimizer);
      }
      restoreHookStates(this._hooks, (meta.hook_states ?? {}) as Record<string, unknown>);
    } finally {
      ckpt.dispose();
    }
    this.logResumed();
    return ckpt.meta;
  }

  /** Sets counters from a checkpoint's meta. */
  protected applyResumedCounters(epoch: number, iter: number): void {
    this._epoch = epoch;
    this._iter = iter;
    this.completedEpochs = epoch;
    this.completedIters = iter;
  }

  /** Logs the resume line. */
  protected abstract logResumed(): void;

  /** State of every stateful hook (what checkpoints store in `meta.hook_states`). */
  hookStates(): Record<string, unknown> {
    return collectHookStates(this._hooks);
  }
}

