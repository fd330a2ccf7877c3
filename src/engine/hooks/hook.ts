/**
 * @module Port of `mmcv/runner/hooks/hook.py`: the Hook base class.
 *
 * The runner calls the stage methods in this order (EpochBasedRunner, workflow [['train', 1]]):
 *
 * ```
 * before_run
 * for each epoch:
 *   before_train_epoch
 *   for each batch: before_train_iter → train_step → after_train_iter
 *   after_train_epoch
 *   (val phase: before_val_epoch, before_val_iter/after_val_iter, after_val_epoch)
 * after_run
 * ```
 *
 * Default bodies delegate as mmcv does: `before_train_epoch`/`before_val_epoch` → `before_epoch`,
 * `after_*_epoch` → `after_epoch`, `before_*_iter` → `before_iter`, `after_*_iter` → `after_iter`.
 * Methods keep mmcv's snake_case names (they are the stage names printed in the hook table).
 * A method may return a Promise; the runner awaits each hook in turn.
 */
import type { RunnerLike } from '../types.js';

/** The hook stages in mmcv order (also the print order of the hook table). */
export const HOOK_STAGES = [
  'before_run',
  'before_train_epoch',
  'before_train_iter',
  'after_train_iter',
  'after_train_epoch',
  'before_val_epoch',
  'before_val_iter',
  'after_val_iter',
  'after_val_epoch',
  'after_run',
] as const;

/** One hook stage name. */
export type HookStage = (typeof HOOK_STAGES)[number];

/** What a stage method may return. */
export type Awaitable<T> = T | Promise<T>;

/** Base class of every hook. Subclasses override the stages they act on. */
export class Hook {
  /** Registry name (mmcv class name), used in the hook table. */
  static readonly type: string = 'Hook';
  /** Set by `runner.registerHook`; a subclass must not define it (mmcv reserves it). */
  priority?: number;

  before_run(_runner: RunnerLike): Awaitable<void> {}
  after_run(_runner: RunnerLike): Awaitable<void> {}
  before_epoch(_runner: RunnerLike): Awaitable<void> {}
  after_epoch(_runner: RunnerLike): Awaitable<void> {}
  before_iter(_runner: RunnerLike): Awaitable<void> {}
  after_iter(_runner: RunnerLike): Awaitable<void> {}

  before_train_epoch(runner: RunnerLike): Awaitable<void> {
    return this.before_epoch(runner);
  }
  before_val_epoch(runner: RunnerLike): Awaitable<void> {
    return this.before_epoch(runner);
  }
  after_train_epoch(runner: RunnerLike): Awaitable<void> {
    return this.after_epoch(runner);
  }
  after_val_epoch(runner: RunnerLike): Awaitable<void> {
    return this.after_epoch(runner);
  }
  before_train_iter(runner: RunnerLike): Awaitable<void> {
    return this.before_iter(runner);
  }
  before_val_iter(runner: RunnerLike): Awaitable<void> {
    return this.before_iter(runner);
  }
  after_train_iter(runner: RunnerLike): Awaitable<void> {
    return this.after_iter(runner);
  }
  after_val_iter(runner: RunnerLike): Awaitable<void> {
    return this.after_iter(runner);
  }

  /** `(epoch + 1) % n == 0`; false for `n <= 0`. */
  every_n_epochs(runner: RunnerLike, n: number): boolean {
    return n > 0 && (runner.epoch + 1) % n === 0;
  }
  /** `(inner_iter + 1) % n == 0`; false for `n <= 0`. */
  every_n_inner_iters(runner: RunnerLike, n: number): boolean {
    return n > 0 && (runner.inner_iter + 1) % n === 0;
  }
  /** `(iter + 1) % n == 0`; false for `n <= 0`. */
  every_n_iters(runner: RunnerLike, n: number): boolean {
    return n > 0 && (runner.iter + 1) % n === 0;
  }
  /** Whether the current iteration is the last of the epoch's data loader. */
  end_of_epoch(runner: RunnerLike): boolean {
    return runner.inner_iter + 1 === (runner.data_loader?.length ?? 0);
  }
  /** `epoch + 1 == max_epochs`. */
  is_last_epoch(runner: RunnerLike): boolean {
    return runner.epoch + 1 === runner.max_epochs;
  }
  /** `iter + 1 == max_iters`. */
  is_last_iter(runner: RunnerLike): boolean {
    return runner.iter + 1 === runner.max_iters;
  }

  /** The hook's name in tables: the registered `type`. */
  get typeName(): string {
    return (this.constructor as typeof Hook).type;
  }

  /**
   * Stages this hook acts on: those whose method (or the generic method it delegates to) a subclass
   * overrides, in mmcv stage order.
   */
  getTriggeredStages(): HookStage[] {
    const base = Hook.prototype as unknown as Record<string, unknown>;
    const self = this as unknown as Record<string, unknown>;
    const overrides = (m: string): boolean => self[m] !== base[m];
    const generic: Record<string, string> = {
      before_train_epoch: 'before_epoch',
      before_val_epoch: 'before_epoch',
      after_train_epoch: 'after_epoch',
      after_val_epoch: 'after_epoch',
      before_train_iter: 'before_iter',
      before_val_iter: 'before_iter',
      after_train_iter: 'after_iter',
      after_val_iter: 'after_iter',
    };
    return HOOK_STAGES.filter((s) => overrides(s) || (generic[s] !== undefined && overrides(generic[s])));
  }

  /** State a resumed run must restore (stateful hooks override; keyed by `type` in checkpoints). */
  stateDict(): Record<string, unknown> | undefined {
    return undefined;
  }
  /** Restores {@link stateDict}. */
  loadStateDict(_state: Record<string, unknown>): void {}
}
