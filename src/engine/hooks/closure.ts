/**
 * @module Port of `mmcv/runner/hooks/closure.py` @ v1.7.2.
 */
import { AssertionError_ } from '../../utils/errors.js';
import type { RunnerLike } from '../types.js';
import { Hook, type Awaitable } from './hook.js';

/** Options of {@link ClosureHook}. */
export interface ClosureHookConfig {
  /** Stage method to replace, e.g. `after_train_iter`. */
  fn_name: string;
  /** Called as `fn(runner)` at that stage. */
  fn: (runner: RunnerLike) => Awaitable<void>;
}

/** Runs a function at one stage. */
export class ClosureHook extends Hook {
  static override readonly type: string = 'ClosureHook';

  /** @throws AssertionError_ `HOOK_CLOSURE_BAD` for an unknown stage or a non-function */
  constructor(cfg: ClosureHookConfig) {
    super();
    const self = this as unknown as Record<string, unknown>;
    if (typeof self[cfg.fn_name] !== 'function' || cfg.fn_name === 'constructor') {
      throw new AssertionError_('HOOK_CLOSURE_BAD', `ClosureHook: no hook method named ${cfg.fn_name}`, { configPath: 'fn_name' });
    }
    if (typeof cfg.fn !== 'function') throw new AssertionError_('HOOK_CLOSURE_BAD', 'ClosureHook: fn must be callable', { configPath: 'fn' });
    self[cfg.fn_name] = cfg.fn;
  }
}
