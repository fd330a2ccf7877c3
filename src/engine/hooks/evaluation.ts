/**
 * @module Port of `mmcv/runner/hooks/evaluation.py` @ v1.7.2 (`EvalHook`).
 *
 * Porting note: mmcv's hook takes a DataLoader and calls `single_gpu_test` + `dataset.evaluate`;
 * the engine knows no datasets, so this hook takes an `evaluate(runner)` callback returning the
 * metrics (`apis/` binds it to the dataset). A score of exactly 0 is a valid best score here
 * (mmcv skips it; engine-spec §5.9.5).
 */
import { existsSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { KeyError, TypeError_, ValueError } from '../../utils/errors.js';
import type { RunnerLike } from '../types.js';
import { Hook } from './hook.js';
import { LoggerHook } from './logger/base.js';

/** mmcv's default keys whose larger value is better. */
export const GREATER_KEYS = ['acc', 'top', 'AR@', 'auc', 'precision', 'mAP', 'mDice', 'mIoU', 'mAcc', 'aAcc'];
/** mmcv's default keys whose smaller value is better. */
export const LESS_KEYS = ['loss'];

/** `evaluation=dict(...)` plus the callback. */
export interface EvalHookConfig {
  /** Computes the metrics of the current model (e.g. runs the val set and a COCO evaluation). */
  evaluate: (runner: RunnerLike) => Promise<Record<string, number | string>>;
  /** Number of val batches, logged as the record's `iter` (mmcv `eval_iter_num`). */
  dataloader_length?: number;
  /** First epoch/iteration (1-based) to evaluate at; evaluation runs before training when resuming past it. */
  start?: number | null;
  interval?: number;
  by_epoch?: boolean;
  /** Metric deciding the best checkpoint, `'auto'` (the first metric), or null. */
  save_best?: string | null;
  /** `'greater'` or `'less'`; inferred from the key when null. */
  rule?: 'greater' | 'less' | null;
  greater_keys?: string[] | null;
  less_keys?: string[] | null;
  /** Root folder for best checkpoints (files go to `out_dir/<basename(work_dir)>`). */
  out_dir?: string | null;
}

/** Infers `greater`/`less` for `key` as mmcv `_init_rule` (case-insensitive). */
export function inferRule(key: string, greater: readonly string[] = GREATER_KEYS, less: readonly string[] = LESS_KEYS): 'greater' | 'less' {
  const k = key.toLowerCase();
  const g = greater.map((s) => s.toLowerCase());
  const l = less.map((s) => s.toLowerCase());
  if (g.includes(k)) return 'greater';
  if (l.includes(k)) return 'less';
  if (g.some((s) => k.includes(s))) return 'greater';
  if (l.some((s) => k.includes(s))) return 'less';
  throw new ValueError('EVAL_RULE_UNKNOWN', `Cannot infer the rule for key ${key}, thus a specific rule must be specified.`, { configPath: 'evaluation.rule' });
}

interface SavingRunner extends RunnerLike {
  saveCheckpoint(out_dir: string, options: { filename_tmpl?: string; create_symlink?: boolean }): Promise<string>;
}

/** Evaluates periodically, logs the metrics as a val record, and keeps the best checkpoint. */
export class EvalHook extends Hook {
  static override readonly type: string = 'EvalHook';
  readonly interval: number;
  readonly start: number | null;
  readonly by_epoch: boolean;
  save_best: string | null;
  rule: 'greater' | 'less' | null;
  private readonly evaluateFn: EvalHookConfig['evaluate'];
  private readonly dataloaderLength: number | undefined;
  private readonly greaterKeys: string[];
  private readonly lessKeys: string[];
  private readonly outDirOption: string | null;
  private out_dir = '';
  private initialFlag = true;
  private bestCkpt: string | null = null;
  /** Metrics of the latest evaluation. */
  latestResults: Record<string, number | string> | null = null;
  /** Number of evaluations run (lets other hooks see a new result). */
  evalCount = 0;

  /**
   * @throws ValueError `EVAL_BAD_INTERVAL` / `EVAL_BAD_START`; KeyError `EVAL_BAD_RULE`;
   *   TypeError_ `EVAL_BAD_CALLBACK`
   */
  constructor(cfg: EvalHookConfig) {
    super();
    if (typeof cfg.evaluate !== 'function') throw new TypeError_('EVAL_BAD_CALLBACK', 'EvalHook needs an evaluate(runner) callback', { configPath: 'evaluation' });
    this.evaluateFn = cfg.evaluate;
    this.dataloaderLength = cfg.dataloader_length;
    this.interval = cfg.interval ?? 1;
    if (!(this.interval > 0)) throw new ValueError('EVAL_BAD_INTERVAL', `interval must be a positive number, but got ${this.interval}`, { configPath: 'evaluation.interval' });
    this.start = cfg.start ?? null;
    if (this.start !== null && this.start < 0) {
      throw new ValueError('EVAL_BAD_START', `The evaluation start epoch ${this.start} is smaller than 0`, { configPath: 'evaluation.start' });
    }
    this.by_epoch = cfg.by_epoch ?? true;
    this.save_best = cfg.save_best ?? null;
    this.greaterKeys = [...GREATER_KEYS, ...(cfg.greater_keys ?? [])];
    this.lessKeys = [...LESS_KEYS, ...(cfg.less_keys ?? [])];
    const rule = cfg.rule ?? null;
    if (rule !== null && rule !== 'greater' && rule !== 'less') {
      throw new KeyError('EVAL_BAD_RULE', `rule must be greater, less or None, but got ${String(rule)}.`, { configPath: 'evaluation.rule' });
    }
    this.rule = rule;
    if (this.save_best !== null && this.save_best !== 'auto' && rule === null) this.rule = inferRule(this.save_best, this.greaterKeys, this.lessKeys);
    this.outDirOption = cfg.out_dir ?? null;
  }

  override before_run(runner: RunnerLike): void {
    const base = this.outDirOption === null ? runner.work_dir : resolve(this.outDirOption);
    this.out_dir = this.outDirOption !== null && runner.work_dir !== '' && base !== runner.work_dir ? join(base, basename(runner.work_dir)) : base;
    if (this.save_best !== null) {
      const msgs = (runner.meta.hook_msgs ??= {}) as Record<string, unknown>;
      this.bestCkpt = typeof msgs.best_ckpt === 'string' ? msgs.best_ckpt : null;
    }
  }

  override async before_train_iter(runner: RunnerLike): Promise<void> {
    if (this.by_epoch || !this.initialFlag) return;
    if (this.start !== null && runner.iter >= this.start) await this.after_train_iter(runner);
    this.initialFlag = false;
  }

  override async before_train_epoch(runner: RunnerLike): Promise<void> {
    if (!this.by_epoch || !this.initialFlag) return;
    if (this.start !== null && runner.epoch >= this.start) await this.doEvaluate(runner);
    this.initialFlag = false;
  }

  /** Iter mode: flush the training logs first (every LoggerHook), clear the buffer, evaluate. */
  override async after_train_iter(runner: RunnerLike): Promise<void> {
    if (this.by_epoch || !this.shouldEvaluate(runner)) return;
    for (const h of runner.hooks) if (h instanceof LoggerHook) await h.after_train_iter(runner);
    runner.log_buffer.clear();
    await this.doEvaluate(runner);
  }

  override async after_train_epoch(runner: RunnerLike): Promise<void> {
    if (this.by_epoch && this.shouldEvaluate(runner)) await this.doEvaluate(runner);
  }

  /** mmcv `_should_evaluate` (0-based counters, 1-based `start`). */
  shouldEvaluate(runner: RunnerLike): boolean {
    const current = this.by_epoch ? runner.epoch : runner.iter;
    if (this.start === null) return this.by_epoch ? this.every_n_epochs(runner, this.interval) : this.every_n_iters(runner, this.interval);
    if (current + 1 < this.start) return false;
    return (current + 1 - this.start) % this.interval === 0;
  }

  private async doEvaluate(runner: RunnerLike): Promise<void> {
    const results = await this.evaluateFn(runner);
    this.latestResults = results;
    this.evalCount += 1;
    const out = runner.log_buffer.output as Record<string, unknown>;
    if (this.dataloaderLength !== undefined) out.eval_iter_num = this.dataloaderLength;
    for (const [k, v] of Object.entries(results)) out[k] = v;
    (runner.log_buffer as { ready: boolean }).ready = true;
    if (this.save_best === null) return;
    const keys = Object.keys(results);
    if (keys.length === 0) {
      runner.logger.warn('Since `eval_res` is an empty dict, the behavior to save the best checkpoint will be skipped in this evaluation.');
      return;
    }
    if (this.save_best === 'auto') {
      this.save_best = keys[0]!;
      this.rule ??= inferRule(this.save_best, this.greaterKeys, this.lessKeys);
    }
    const score = results[this.save_best];
    if (typeof score !== 'number' || Number.isNaN(score)) {
      runner.logger.warn(`save_best key ${this.save_best} is not a number in the evaluation results; skipped`);
      return;
    }
    await this.saveBest(runner, score);
  }

  private async saveBest(runner: RunnerLike, score: number): Promise<void> {
    const key = this.save_best!;
    const msgs = (runner.meta.hook_msgs ??= {}) as Record<string, unknown>;
    const greater = this.rule !== 'less';
    const prev = typeof msgs.best_score === 'number' ? msgs.best_score : greater ? -Infinity : Infinity;
    if (!(greater ? score > prev : score < prev)) return;
    msgs.best_score = score;
    if (this.bestCkpt !== null && existsSync(this.bestCkpt)) rmSync(this.bestCkpt);
    const cur = this.by_epoch ? `epoch_${runner.epoch + 1}` : `iter_${runner.iter + 1}`;
    const name = `best_${key}_${cur}.safetensors`;
    this.bestCkpt = join(this.out_dir, name);
    msgs.best_ckpt = this.bestCkpt;
    await (runner as SavingRunner).saveCheckpoint(this.out_dir, { filename_tmpl: name, create_symlink: false });
    runner.logger.info(`Now best checkpoint is saved as ${name}.`);
    runner.logger.info(`Best ${key} is ${score.toFixed(4)} at ${this.by_epoch ? runner.epoch + 1 : runner.iter + 1} ${this.by_epoch ? 'epoch' : 'iter'}.`);
  }
}
