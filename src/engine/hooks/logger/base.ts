/**
 * @module Port of `mmcv/runner/hooks/logger/base.py` @ v1.7.2 (`LoggerHook`).
 *
 * When a record is logged:
 * - train iterations: every `interval` inner iterations (`by_epoch`) or global iterations, averaging
 *   the last `interval` buffer entries; at the end of an epoch too if `ignore_last` is false;
 * - `after_train_epoch`: whatever an earlier hook made ready (EvalHook results);
 * - `after_val_epoch`: the average of the whole val pass.
 * The last logger registered clears the buffer output after logging (`reset_flag`).
 */
import { ValueError } from '../../../utils/errors.js';
import type { RunnerLike } from '../../types.js';
import { Hook } from '../hook.js';

/** Options of every logger hook (`log_config.hooks[i]`; `interval` comes from `log_config.interval`). */
export interface LoggerHookConfig {
  interval?: number;
  /** Skip the partial window at the end of an epoch. */
  ignore_last?: boolean;
  /** Clear the buffer output after logging (set automatically on the last logger). */
  reset_flag?: boolean;
  by_epoch?: boolean;
}

/** Base of logger hooks; subclasses implement {@link LoggerHook.log}. */
export abstract class LoggerHook extends Hook {
  static override readonly type: string = 'LoggerHook';
  readonly interval: number;
  readonly ignore_last: boolean;
  reset_flag: boolean;
  readonly by_epoch: boolean;

  constructor(cfg: LoggerHookConfig = {}) {
    super();
    this.interval = cfg.interval ?? 10;
    this.ignore_last = cfg.ignore_last ?? true;
    this.reset_flag = cfg.reset_flag ?? false;
    this.by_epoch = cfg.by_epoch ?? true;
    if (!Number.isInteger(this.interval) || this.interval <= 0) {
      throw new ValueError('LOGGER_BAD_INTERVAL', `interval must be a positive integer, got ${this.interval}`, { configPath: 'log_config.interval' });
    }
  }

  /** Writes one record of `runner.log_buffer.output`. */
  abstract log(runner: RunnerLike): void | Promise<void>;

  override before_run(runner: RunnerLike): void | Promise<void> {
    for (let i = runner.hooks.length - 1; i >= 0; i--) {
      const h = runner.hooks[i];
      if (h instanceof LoggerHook) {
        h.reset_flag = true;
        break;
      }
    }
  }

  override before_epoch(runner: RunnerLike): void {
    runner.log_buffer.clear();
  }

  override async after_train_iter(runner: RunnerLike): Promise<void> {
    if (this.by_epoch && this.every_n_inner_iters(runner, this.interval)) runner.log_buffer.average(this.interval);
    else if (!this.by_epoch && this.every_n_iters(runner, this.interval)) runner.log_buffer.average(this.interval);
    else if (this.end_of_epoch(runner) && !this.ignore_last) runner.log_buffer.average(this.interval);
    if (runner.log_buffer.ready) await this.flush(runner);
  }

  override async after_train_epoch(runner: RunnerLike): Promise<void> {
    if (runner.log_buffer.ready) await this.flush(runner);
  }

  override async after_val_epoch(runner: RunnerLike): Promise<void> {
    runner.log_buffer.average();
    await this.flush(runner);
  }

  private async flush(runner: RunnerLike): Promise<void> {
    await this.log(runner);
    if (this.reset_flag) runner.log_buffer.clear_output();
  }

  /** `'train'` when the output holds `time` in train mode, else `'val'` (eval results). */
  getMode(runner: RunnerLike): 'train' | 'val' {
    if (runner.mode === 'train') return 'time' in runner.log_buffer.output ? 'train' : 'val';
    if (runner.mode === 'val') return 'val';
    throw new ValueError('LOGGER_BAD_MODE', `runner mode should be 'train' or 'val', but got ${String(runner.mode)}`);
  }

  /** 1-based epoch: train → `epoch + 1`; val (after the train increment) → `epoch`. */
  getEpoch(runner: RunnerLike): number {
    if (runner.mode === 'train') return runner.epoch + 1;
    if (runner.mode === 'val') return runner.epoch;
    throw new ValueError('LOGGER_BAD_MODE', `runner mode should be 'train' or 'val', but got ${String(runner.mode)}`);
  }

  /** `inner_iter + 1` if `by_epoch && innerIter`, else `iter + 1`. */
  getIter(runner: RunnerLike, innerIter = false): number {
    return this.by_epoch && innerIter ? runner.inner_iter + 1 : runner.iter + 1;
  }

  /**
   * Tags for metric backends: `<mode>/<key>` for buffer outputs (except `time`, `data_time`),
   * plus `learning_rate` and `momentum` of the first param group.
   */
  getLoggableTags(runner: RunnerLike, options: { allowText?: boolean; addMode?: boolean; tagsToSkip?: readonly string[] } = {}): Record<string, number | string> {
    const skip = options.tagsToSkip ?? ['time', 'data_time'];
    const tags: Record<string, number | string> = {};
    const mode = this.getMode(runner);
    for (const [k, v] of Object.entries(runner.log_buffer.output as Record<string, unknown>)) {
      if (skip.includes(k)) continue;
      if (typeof v === 'string' && options.allowText !== true) continue;
      if (typeof v !== 'number' && typeof v !== 'string') continue;
      tags[options.addMode === false ? k : `${mode}/${k}`] = v;
    }
    if (runner.optimizer !== null) {
      tags.learning_rate = runner.current_lr()[0]!;
      tags.momentum = runner.current_momentum()[0]!;
    }
    return tags;
  }
}
