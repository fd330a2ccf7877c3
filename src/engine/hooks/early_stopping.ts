/**
 * @module Port of `mmengine/hooks/early_stopping_hook.py` (`EarlyStoppingHook`), adapted to the
 * mmcv runner.
 *
 * Porting note: mmengine checks after each validation loop. Here a "validation" is either a new
 * result of an {@link EvalHook} (checked at `after_train_epoch` / `after_train_iter`, so register
 * this hook after the EvalHook, e.g. priority LOWEST) or the average of the monitored key over a
 * workflow `val` pass (`after_val_epoch`). Stopping sets `runner.should_stop`, which ends training
 * after the current iteration.
 */
import { DetkitError } from '../../utils/errors.js';
import type { RunnerLike } from '../types.js';
import { EvalHook, inferRule } from './evaluation.js';
import { Hook } from './hook.js';
import type { LogBuffer } from '../log_buffer.js';

/** `custom_hooks=[dict(type='EarlyStoppingHook', monitor='bbox_mAP', ...)]`. */
export interface EarlyStoppingHookConfig {
  /** Metric to watch, e.g. `bbox_mAP` or `loss`. */
  monitor: string;
  /** `'greater'` / `'less'`; inferred from `monitor` when null. */
  rule?: 'greater' | 'less' | null;
  /** Smallest change counted as an improvement. */
  min_delta?: number;
  /** Throw when `monitor` is missing from a result (else warn and skip). */
  strict?: boolean;
  /** Stop when the score is NaN or infinite. */
  check_finite?: boolean;
  /** Validations without improvement before stopping. */
  patience?: number;
  /** Stop as soon as the score reaches this value. */
  stopping_threshold?: number | null;
}

/** Requests the end of training when the monitored metric stops improving. */
export class EarlyStoppingHook extends Hook {
  static override readonly type: string = 'EarlyStoppingHook';
  readonly monitor: string;
  readonly rule: 'greater' | 'less';
  readonly min_delta: number;
  readonly strict: boolean;
  readonly check_finite: boolean;
  readonly patience: number;
  readonly stopping_threshold: number | null;
  /** Best score so far. */
  best_score: number;
  /** Validations since the last improvement. */
  wait_count = 0;
  private seenEvals = 0;

  constructor(cfg: EarlyStoppingHookConfig) {
    super();
    this.monitor = cfg.monitor;
    this.rule = cfg.rule ?? inferRule(cfg.monitor);
    const delta = cfg.min_delta ?? 0.1;
    this.min_delta = this.rule === 'greater' ? delta : -delta;
    this.strict = cfg.strict ?? false;
    this.check_finite = cfg.check_finite ?? true;
    this.patience = cfg.patience ?? 5;
    this.stopping_threshold = cfg.stopping_threshold ?? null;
    this.best_score = this.rule === 'greater' ? -Infinity : Infinity;
  }

  override after_train_epoch(runner: RunnerLike): void {
    this.checkEvalHooks(runner);
  }
  override after_train_iter(runner: RunnerLike): void {
    this.checkEvalHooks(runner);
  }

  override after_val_epoch(runner: RunnerLike): void {
    const buf = runner.log_buffer as LogBuffer;
    const vals = buf.val_history?.get(this.monitor);
    const ns = buf.n_history?.get(this.monitor);
    if (vals === undefined || ns === undefined || vals.length === 0) {
      this.missing(runner);
      return;
    }
    let s = 0;
    let c = 0;
    vals.forEach((v, i) => {
      s += v * ns[i]!;
      c += ns[i]!;
    });
    this.check(runner, s / c);
  }

  private checkEvalHooks(runner: RunnerLike): void {
    const evals = runner.hooks.filter((h): h is EvalHook => h instanceof EvalHook);
    const count = evals.reduce((a, h) => a + h.evalCount, 0);
    if (count === this.seenEvals) return;
    this.seenEvals = count;
    for (const h of evals) {
      const v = h.latestResults?.[this.monitor];
      if (typeof v === 'number') {
        this.check(runner, v);
        return;
      }
    }
    this.missing(runner);
  }

  private missing(runner: RunnerLike): void {
    const msg = `Skip early stopping process since the evaluation results do not include \`monitor\` (${this.monitor}).`;
    if (this.strict) throw new DetkitError('EARLY_STOP_NO_MONITOR', msg, { configPath: 'monitor' });
    runner.logger.warn(msg);
  }

  /** mmengine `_check_stop_condition`. */
  private check(runner: RunnerLike, score: number): void {
    const better = (a: number, b: number): boolean => (this.rule === 'greater' ? a > b : a < b);
    let stop = false;
    let reason = '';
    if (this.check_finite && !Number.isFinite(score)) {
      stop = true;
      reason = `Monitored metric ${this.monitor} = ${score} is infinite. Previous best value was ${this.best_score.toFixed(3)}.`;
    } else if (this.stopping_threshold !== null && better(score, this.stopping_threshold)) {
      stop = true;
      this.best_score = score;
      reason = `Stopping threshold reached: \`${this.monitor}\` = ${score} is ${this.rule === 'greater' ? 'greater' : 'less'} than ${this.stopping_threshold}.`;
    } else if (better(this.best_score + this.min_delta, score)) {
      this.wait_count += 1;
      if (this.wait_count >= this.patience) {
        stop = true;
        reason = `the monitored metric did not improve in the last ${this.wait_count} records. best score: ${this.best_score.toFixed(3)}. `;
      }
    } else {
      this.best_score = score;
      this.wait_count = 0;
    }
    if (stop) {
      runner.should_stop = true;
      runner.logger.info(reason);
    }
  }

  override stateDict(): Record<string, unknown> {
    return { best_score: this.best_score, wait_count: this.wait_count };
  }
  override loadStateDict(state: Record<string, unknown>): void {
    if (typeof state.best_score === 'number') this.best_score = state.best_score;
    else if (state.best_score === null) this.best_score = this.rule === 'greater' ? -Infinity : Infinity;
    if (typeof state.wait_count === 'number') this.wait_count = state.wait_count;
  }
}
