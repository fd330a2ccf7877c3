/**
 * @module Port of `mmcv/runner/iter_based_runner.py` @ v1.7.2.
 *
 * ```
 * before_run; before_epoch (the generic stage: before_train_epoch is never called)
 * while iter < max_iters, for each [mode, n] of the workflow (inner_iter = 0), n times:
 *   train: epoch = loader.epoch; fetch; before_train_iter → train_step → after_train_iter;
 *          inner_iter += 1; iter += 1
 *   val:   fetch; before_val_iter → val_step(batch) → after_val_iter; inner_iter += 1
 * after_epoch; after_run
 * ```
 */
import { AssertionError_ } from '../../utils/errors.js';
import { Hook } from '../hooks/hook.js';
import { pyWorkflowRepr } from '../logging/py_format.js';
import type { DataLoaderLike } from '../types.js';
import { BaseRunner, type BaseRunnerOptions, type TrainingHooksConfig, type Workflow } from './base_runner.js';
import { IterLoader } from './iter_loader.js';

/** `runner=dict(type='IterBasedRunner', max_iters=90000)`. */
export interface IterBasedRunnerConfig {
  max_iters: number;
}

/** Trains for `max_iters` iterations, cycling through the loaders endlessly. */
export class IterBasedRunner extends BaseRunner {
  static readonly type = 'IterBasedRunner';
  readonly runnerType = 'IterBasedRunner';

  constructor(options: BaseRunnerOptions) {
    super(options);
  }

  protected readonly checkpointsByEpoch = false;
  protected override completedEpochsForSave(): number {
    return this._epoch + 1;
  }

  /**
   * Runs the workflow until `max_iters` training iterations are done.
   * @throws AssertionError_ `RUNNER_MAX_ITERS` if the runner was built without `max_iters`
   */
  async run(data_loaders: DataLoaderLike[], workflow: Workflow): Promise<void> {
    this.checkRunArgs(data_loaders, workflow);
    if (this._max_iters <= 0) throw new AssertionError_('RUNNER_MAX_ITERS', 'max_iters must be specified during instantiation', { configPath: 'runner.max_iters' });
    this.logStart(`workflow: ${pyWorkflowRepr(workflow)}, max: ${this._max_iters} iters`);
    await this.callHook('before_run');
    const loaders = data_loaders.map((l) => new IterLoader(l));
    await this.callHook('before_epoch');
    outer: while (this._iter < this._max_iters) {
      for (let i = 0; i < workflow.length; i++) {
        this._inner_iter = 0;
        const [mode, iters] = workflow[i]!;
        for (let k = 0; k < iters; k++) {
          if (mode === 'train' && this._iter >= this._max_iters) break;
          if (mode === 'train') await this.train(loaders[i]!);
          else await this.val(loaders[i]!);
          if (this.should_stop) break outer;
        }
      }
    }
    await this.callHook('after_epoch');
    await this.callHook('after_run');
  }

  /** One training iteration. */
  async train(data_loader: IterLoader): Promise<void> {
    this.model.train();
    this.mode = 'train';
    this.data_loader = data_loader;
    this._epoch = data_loader.epoch;
    const batch = await data_loader.next();
    this.data_batch = batch;
    await this.callHook('before_train_iter');
    await this.runStep(batch, true, true);
    await this.callHook('after_train_iter');
    this.releaseOutputs();
    this.data_batch = null;
    this._inner_iter += 1;
    this._iter += 1;
  }

  /** One validation iteration (`val_step(batch)` without the optimizer, as mmcv). */
  async val(data_loader: IterLoader): Promise<void> {
    this.model.eval();
    this.mode = 'val';
    this.data_loader = data_loader;
    const batch = await data_loader.next();
    this.data_batch = batch;
    await this.callHook('before_val_iter');
    await this.runStep(batch, false, false);
    await this.callHook('after_val_iter');
    this.releaseOutputs();
    this.data_batch = null;
    this._inner_iter += 1;
  }

  /**
   * As the base method, after mmcv's iter-based defaults: `by_epoch: false` is set (if absent)
   * on `checkpoint_config`, `lr_config` and every logger hook config (the caller's dicts are
   * mutated, as in mmcv), and a fresh `IterTimerHook` is always used.
   */
  override registerTrainingHooks(cfg: TrainingHooksConfig): void {
    for (const c of [cfg.checkpoint_config, cfg.lr_config, ...(cfg.log_config?.hooks ?? [])]) {
      if (c !== null && c !== undefined && !(c instanceof Hook) && c.by_epoch === undefined) c.by_epoch = false;
    }
    super.registerTrainingHooks({ ...cfg, timer_config: { type: 'IterTimerHook' } });
  }

  protected override applyResumedCounters(epoch: number, iter: number): void {
    super.applyResumedCounters(epoch, iter);
    this._inner_iter = iter;
  }

  protected logResumed(): void {
    this.logger.info(`resumed from epoch: ${this._epoch}, iter ${this._iter}`);
  }
}
