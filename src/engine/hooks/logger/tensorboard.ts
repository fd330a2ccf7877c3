/**
 * @module Port of `mmcv/runner/hooks/logger/tensorboard.py` @ v1.7.2 (`TensorboardLoggerHook`).
 */
import { join } from 'node:path';
import { DetkitError } from '../../../utils/errors.js';
import { SummaryWriter } from '../../logging/tensorboard_writer.js';
import type { RunnerLike } from '../../types.js';
import { LoggerHook, type LoggerHookConfig } from './base.js';

/** `log_config.hooks[i]` of type `TensorboardLoggerHook`. */
export interface TensorboardLoggerHookConfig extends LoggerHookConfig {
  /** Folder of the event file. Default `work_dir/tf_logs`. */
  log_dir?: string | null;
}

/**
 * Writes each logged record as TensorBoard scalars at step `iter + 1`: `train/<key>`,
 * `val/<key>` (eval results), `learning_rate`, `momentum`; string values as text.
 */
export class TensorboardLoggerHook extends LoggerHook {
  static override readonly type: string = 'TensorboardLoggerHook';
  private logDir: string | null;
  /** The open writer (after `before_run`). */
  writer: SummaryWriter | null = null;

  constructor(cfg: TensorboardLoggerHookConfig = {}) {
    super(cfg);
    this.logDir = cfg.log_dir ?? null;
  }

  override before_run(runner: RunnerLike): void {
    super.before_run(runner);
    if (this.logDir === null) {
      if (runner.work_dir === '') throw new DetkitError('LOGGER_NO_DIR', 'TensorboardLoggerHook needs a work_dir or log_dir', { configPath: 'log_config.hooks' });
      this.logDir = join(runner.work_dir, 'tf_logs');
    }
    this.writer = new SummaryWriter(this.logDir);
  }

  log(runner: RunnerLike): void {
    const step = this.getIter(runner);
    for (const [tag, val] of Object.entries(this.getLoggableTags(runner, { allowText: true }))) {
      if (typeof val === 'string') this.writer?.addText(tag, val, step);
      else this.writer?.addScalar(tag, val, step);
    }
    this.writer?.flush();
  }

  override after_run(_runner: RunnerLike): void {
    this.writer?.close();
  }
}
