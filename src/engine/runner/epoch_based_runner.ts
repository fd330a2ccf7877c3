/**
 * @module Port of `mmcv/runner/epoch_based_runner.py` @ v1.7.2.
 *
 * ```
 * before_run
 * while epoch < max_epochs, for each [mode, n] of the workflow, n times:
 *   train: before_train_epoch; per batch: before_train_iter → train_step → after_train_iter;
 *          after_train_epoch; epoch += 1
 *   val:   before_val_epoch; per batch: before_val_iter → val_step → after_val_iter; after_val_epoch
 * after_run
 * ```
 *
 * Porting notes: mmcv sleeps 2 s after `before_*_epoch` and 1 s before `after_run` (a PyTorch
 * DataLoader worker workaround); detkit does not. `should_stop` (early stopping, non-finite loss)
 * ends the epoch after the current iteration, still calls `after_train_epoch`, then `after_run`.
 */
import { AssertionError_ } from '../../utils/errors.js';
import { pyWorkflowRepr } from '../logging/py_format.js';
import type { DataLoaderLike } from '../types.js';
import { BaseRunner, type BaseRunnerOptions, type Workflow } from './base_runner.js';

/** `runner=dict(type='EpochBasedRunner', max_epochs=12)`. */
export interface EpochBasedRunnerConfig {
  max_epochs: number;
}

/** Trains for `max_epochs` passes over the train loader, interleaving val passes per `workflow`. */
export class EpochBasedRunner extends BaseRunner {
  static readonly type = 'EpochBasedRunner';
  readonly runnerType = 'EpochBasedRunner';

  constructor(options: BaseRunnerOptions) {
    super(options);
  }

  protected readonly checkpointsByEpoch = true;

  /**
   * Runs the workflow until `max_epochs` training epochs are done.
   * @throws AssertionError_ `RUNNER_MAX_EPOCHS` if the runner was built without `max_epochs`
   */
  async run(data_loaders: DataLoaderLike[], workflow: Workflow): Promise<void> {
    this.checkRunArgs(data_loaders, workflow);
    if (this._max_epochs <= 0) throw new AssertionError_('RUNNER_MAX_EPOCHS', 'max_epochs must be specified during instantiation', { configPath: 'runner.max_epochs' });
    const trainIdx = workflow.findIndex(([m]) => m === 'train');
    if (trainIdx >= 0) this._max_iters = this._max_epochs * data_loaders[trainIdx]!.length;
    this.logStart(`workflow: ${pyWorkflowRepr(workflow)}, max: ${this._max_epochs} epochs`);
    await this.callHook('before_run');
    outer: while (this._epoch < this._max_epochs) {
      for (let i = 0; i < workflow.length; i++) {
        const [mode, epochs] = workflow[i]!;
        for (let e = 0; e < epochs; e++) {
          if (mode === 'train' && this._epoch >= this._max_epochs) break;
          if (mode === 'train') await this.train(data_loaders[i]!);
          else await this.val(data_loaders[i]!);
          if (this.should_stop) break outer;
        }
      }
    }
    await this.callHook('after_run');
  }

  /** One training epoch over `data_loader`. */
  async train(data_loader: DataLoaderLike): Promise<void> {
    this.model.train();
    this.mode = 'train';
    this.data_loader = data_loader;
    this._max_iters = this._max_epochs * data_loader.length;
    await this.callHook('before_train_epoch');
    let i = 0;
    for await (const batch of data_loader) {
      this.data_batch = batch;
      this._inner_iter = i;
      await this.callHook('before_train_iter');
      await this.runStep(batch, true, true);
      await this.callHook('after_train_iter');
      this.releaseOutputs();
      this.data_batch = null;
      this._iter += 1;
      i += 1;
      if (this.should_stop) break;
    }
    this.completedEpochs = this._epoch + 1;
    await this.callHook('after_train_epoch');
    this._epoch += 1;
  }

  /** One validation pass over `data_loader` (counters unchanged). */
  async val(data_loader: DataLoaderLike): Promise<void> {
    this.model.eval();
    this.mode = 'val';
    this.data_loader = data_loader;
    await this.callHook('before_val_epoch');
    let i = 0;
    for await (const batch of data_loader) {
      this.data_batch = batch;
      this._inner_iter = i;
      await this.callHook('before_val_iter');
      await this.runStep(batch, false, true);
      await this.callHook('after_val_iter');
      this.releaseOutputs();
      this.data_batch = null;
      i += 1;
    }
    await this.callHook('after_val_epoch');
  }

  protected logResumed(): void {
    this.logger.info(`resumed epoch ${this._epoch}, iter ${this._iter}`);
  }
}
