/**
 * @module Port of `mmcv/runner/hooks/memory.py` @ v1.7.2 (`EmptyCacheHook`).
 *
 * Porting note: tfjs has no allocator cache to empty (tensors are freed when disposed), so the
 * stages do nothing; the hook exists so mmdet configs naming it build and print the same table.
 */
import type { RunnerLike } from '../types.js';
import { Hook } from './hook.js';

/** Options of {@link EmptyCacheHook} (which points would empty the cache). */
export interface EmptyCacheHookConfig {
  before_epoch?: boolean;
  after_epoch?: boolean;
  after_iter?: boolean;
}

/** Empties the accelerator cache at the enabled points (a no-op on tfjs). */
export class EmptyCacheHook extends Hook {
  static override readonly type: string = 'EmptyCacheHook';
  readonly options: Required<EmptyCacheHookConfig>;

  constructor(cfg: EmptyCacheHookConfig = {}) {
    super();
    this.options = { before_epoch: cfg.before_epoch ?? false, after_epoch: cfg.after_epoch ?? true, after_iter: cfg.after_iter ?? false };
  }

  override after_iter(_runner: RunnerLike): void {}
  override before_epoch(_runner: RunnerLike): void {}
  override after_epoch(_runner: RunnerLike): void {}
}
