/**
 * @module Port of `mmcv/runner/hooks/checkpoint.py` @ v1.7.2 (`CheckpointHook`).
 *
 * Porting notes: files are `epoch_N.safetensors` / `iter_N.safetensors`; `max_keep_ckpts` keeps the
 * N most recent files this hook wrote (mmengine's queue, persisted in the hook state), not mmcv's
 * interval-aligned scan that misses off-grid files (engine-spec §5.9.5). Stale temp files of
 * interrupted writes are removed at `before_run`.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DetkitError } from '../../utils/errors.js';
import { removeStaleTempFiles } from '../checkpoint/checkpoint.js';
import type { RunnerLike } from '../types.js';
import { Hook } from './hook.js';

/** `checkpoint_config`. */
export interface CheckpointHookConfig {
  /** Save every `interval` epochs (or iterations); `-1`: only the last (with `save_last`). */
  interval?: number;
  /** Count epochs (true) or iterations (false). */
  by_epoch?: boolean;
  /** Store the optimizer state (needed to resume). */
  save_optimizer?: boolean;
  /** Another root folder: files go to `out_dir/<basename(work_dir)>`. */
  out_dir?: string | null;
  /** Keep only the newest N checkpoints; `-1` keeps all. */
  max_keep_ckpts?: number;
  /** Always save at the last epoch/iteration. */
  save_last?: boolean;
  /** File name template, `{}` replaced by the epoch/iter number. */
  filename_tmpl?: string;
  /** Update `latest.safetensors` after each save. */
  create_symlink?: boolean;
  /** Extra meta merged into every checkpoint (mmdet: `mmdet_version`, `CLASSES`). */
  meta?: Record<string, unknown>;
  /** Accepted for config compatibility (single process: nothing to all-reduce). */
  sync_buffer?: boolean;
}

/** The part of a runner this hook needs beyond {@link RunnerLike}. */
interface SavingRunner extends RunnerLike {
  checkpointPath(out_dir: string, filename_tmpl?: string, by_epoch?: boolean): string;
  saveCheckpoint(out_dir: string, options: { filename_tmpl?: string; save_optimizer?: boolean; meta?: Record<string, unknown> | null; create_symlink?: boolean; by_epoch?: boolean }): Promise<string>;
}

/** Saves checkpoints periodically and at the end of training. */
export class CheckpointHook extends Hook {
  static override readonly type: string = 'CheckpointHook';
  readonly interval: number;
  readonly by_epoch: boolean;
  readonly save_optimizer: boolean;
  readonly max_keep_ckpts: number;
  readonly save_last: boolean;
  private readonly args: { filename_tmpl?: string; create_symlink?: boolean; meta?: Record<string, unknown> };
  private outDirOption: string | null;
  /** Final folder, resolved at `before_run`. */
  out_dir = '';
  /** Files written by this hook, oldest first (bounded by `max_keep_ckpts`). */
  private kept: string[] = [];

  constructor(cfg: CheckpointHookConfig = {}) {
    super();
    this.interval = cfg.interval ?? -1;
    this.by_epoch = cfg.by_epoch ?? true;
    this.save_optimizer = cfg.save_optimizer ?? true;
    this.outDirOption = cfg.out_dir ?? null;
    this.max_keep_ckpts = cfg.max_keep_ckpts ?? -1;
    this.save_last = cfg.save_last ?? true;
    this.args = {};
    if (cfg.filename_tmpl !== undefined) this.args.filename_tmpl = cfg.filename_tmpl;
    if (cfg.create_symlink !== undefined) this.args.create_symlink = cfg.create_symlink;
    if (cfg.meta !== undefined) this.args.meta = cfg.meta;
  }

  override before_run(runner: RunnerLike): void {
    if (this.outDirOption === null) {
      if (runner.work_dir === '') throw new DetkitError('CHECKPOINT_NO_DIR', 'CheckpointHook needs a work_dir or out_dir', { configPath: 'checkpoint_config.out_dir' });
      this.out_dir = runner.work_dir;
    } else {
      const base = resolve(this.outDirOption);
      this.out_dir = runner.work_dir !== '' && base !== runner.work_dir ? join(base, basename(runner.work_dir)) : base;
    }
    runner.logger.info(`Checkpoints will be saved to ${this.out_dir} by HardDiskBackend.`);
    mkdirSync(this.out_dir, { recursive: true });
    removeStaleTempFiles(this.out_dir);
  }

  override async after_train_epoch(runner: RunnerLike): Promise<void> {
    if (!this.by_epoch) return;
    if (this.every_n_epochs(runner, this.interval) || (this.save_last && this.is_last_epoch(runner))) {
      runner.logger.info(`Saving checkpoint at ${runner.epoch + 1} epochs`);
      await this.save(runner);
    }
  }

  override async after_train_iter(runner: RunnerLike): Promise<void> {
    if (this.by_epoch) return;
    if (this.every_n_iters(runner, this.interval) || (this.save_last && this.is_last_iter(runner))) {
      runner.logger.info(`Saving checkpoint at ${runner.iter + 1} iterations`);
      await this.save(runner);
    }
  }

  private async save(runner: RunnerLike): Promise<void> {
    const r = runner as SavingRunner;
    const file = r.checkpointPath(this.out_dir, this.args.filename_tmpl, this.by_epoch);
    // Recorded before writing, so the checkpoint's own meta and hook state include it.
    const msgs = (runner.meta.hook_msgs ??= {}) as Record<string, unknown>;
    msgs.last_ckpt = file;
    if (this.max_keep_ckpts > 0) this.kept = [...this.kept.filter((f) => f !== file), file];
    await r.saveCheckpoint(this.out_dir, { save_optimizer: this.save_optimizer, by_epoch: this.by_epoch, ...this.args });
    while (this.max_keep_ckpts > 0 && this.kept.length > this.max_keep_ckpts) {
      const old = this.kept.shift()!;
      if (existsSync(old)) rmSync(old);
    }
  }

  override stateDict(): Record<string, unknown> {
    return { kept: [...this.kept] };
  }
  override loadStateDict(state: Record<string, unknown>): void {
    if (Array.isArray(state.kept)) this.kept = state.kept.filter((f): f is string => typeof f === 'string');
  }
}
