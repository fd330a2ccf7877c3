/**
 * @module Port of `mmdet/core/hook/checkloss_hook.py` (CheckInvalidLossHook) @ v2.28.2, made useful:
 * a non-finite loss stops training with a message naming the iteration, the loss terms and the
 * batch's image files, after saving a checkpoint of the last good state (the step's gradients are
 * discarded before the optimizer sees them).
 */
import { Hook } from '../../engine/hooks/hook.js';
import type { RunnerLike } from '../../engine/types.js';
import { DetkitError } from '../../utils/errors.js';

/** Config of {@link CheckInvalidLossHook}. */
export interface CheckInvalidLossHookConfig {
  /** Check every `interval` iterations (mmdet default 50; detkit default 1: the check is free). */
  interval?: number;
}

/** A runner that can write a checkpoint (every detkit runner can). */
interface SavingRunner extends RunnerLike {
  saveCheckpoint(outDir: string, options: { filename_tmpl?: string; save_optimizer?: boolean; create_symlink?: boolean }): Promise<string>;
}

/** Stops training on a NaN/Inf loss. Registered at VERY_HIGH so it acts before `OptimizerHook`. */
export class CheckInvalidLossHook extends Hook {
  static override readonly type: string = 'CheckInvalidLossHook';
  readonly interval: number;

  constructor(cfg: CheckInvalidLossHookConfig = {}) {
    super();
    this.interval = cfg.interval ?? 1;
  }

  override async after_train_iter(runner: RunnerLike): Promise<void> {
    if (!this.every_n_iters(runner, this.interval)) return;
    const out = runner.outputs;
    if (out === null || Number.isFinite(out.loss)) return;
    for (const g of out.grads?.values() ?? []) g.dispose();
    out.grads = undefined;
    const terms = Object.entries(out.log_vars)
      .filter(([k, v]) => k !== 'loss' && !Number.isFinite(v))
      .map(([k, v]) => `${k}=${v}`);
    const files = Array.isArray(out.img_files) ? (out.img_files as string[]) : [];
    const saver = runner as SavingRunner;
    let saved = '';
    if (typeof saver.saveCheckpoint === 'function' && runner.work_dir !== '') {
      const file = await saver.saveCheckpoint(runner.work_dir, { filename_tmpl: `last_good_iter_${runner.iter}.safetensors`, create_symlink: false });
      saved = ` The last good state was saved to ${file}.`;
    }
    throw new DetkitError(
      'LOSS_NOT_FINITE',
      `loss became infinite or NaN at iteration ${runner.iter + 1} (epoch ${runner.epoch + 1}): ${terms.join(', ') || `loss=${out.loss}`}; batch images: ${files.join(', ') || 'unknown'}.${saved}`,
      { hint: 'lower optimizer.lr, add a warmup (lr_config.warmup), or clip gradients (optimizer_config.grad_clip)' },
    );
  }
}
