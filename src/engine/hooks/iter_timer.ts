/**
 * @module Port of `mmcv/runner/hooks/iter_timer.py` @ v1.7.2.
 */
import { performance } from 'node:perf_hooks';
import type { RunnerLike } from '../types.js';
import { Hook } from './hook.js';

/** `IterTimerHook` takes no options. */
export type IterTimerHookConfig = Record<string, never>;

/**
 * Puts `data_time` (seconds waiting for the batch, at `before_*_iter`) and `time` (seconds per
 * whole iteration including data, at `after_*_iter`) into the log buffer, train and val alike.
 */
export class IterTimerHook extends Hook {
  static override readonly type: string = 'IterTimerHook';
  private t = 0;

  constructor(_cfg: IterTimerHookConfig = {}) {
    super();
  }

  override before_epoch(_runner: RunnerLike): void {
    this.t = performance.now();
  }
  override before_iter(runner: RunnerLike): void {
    runner.log_buffer.update({ data_time: (performance.now() - this.t) / 1000 });
  }
  override after_iter(runner: RunnerLike): void {
    runner.log_buffer.update({ time: (performance.now() - this.t) / 1000 });
    this.t = performance.now();
  }
}
