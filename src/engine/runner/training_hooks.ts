/**
 * @module Port of `BaseRunner.register_training_hooks` and its helpers (`register_lr_hook`,
 * `register_momentum_hook`, ...) of `mmcv/runner/base_runner.py` @ v1.7.2.
 */
import { KeyError } from '../../utils/errors.js';
import { Hook } from '../hooks/hook.js';

/** What {@link registerTrainingHooks} needs of a runner. */
export interface HookRegistrar {
  registerHook(hook: Hook, priority?: number | string): void;
  registerHookFromCfg(cfg: Record<string, unknown>, defaultArgs?: Record<string, unknown>): Hook;
  buildHook(cfg: Record<string, unknown>, defaultArgs?: Record<string, unknown>): Hook;
}

/** A hook given as a config dict (`type` plus options, optional `priority`) or as an instance. */
export type HookSpec = Hook | ({ type?: string; priority?: number | string } & Record<string, unknown>);

/** Config of `registerTrainingHooks` (mmcv `register_training_hooks` arguments). */
export interface TrainingHooksConfig {
  /** `{policy: 'step', ...}` → `<Policy>LrUpdaterHook` at VERY_HIGH. The `policy` key is popped. */
  lr_config?: HookSpec | null;
  /** → `OptimizerHook` (default type) at ABOVE_NORMAL. */
  optimizer_config?: HookSpec | null;
  /** → `CheckpointHook` (default type) at NORMAL. */
  checkpoint_config?: HookSpec | null;
  /** `{interval, hooks: [{type: 'TextLoggerHook'}, ...]}` → each at VERY_LOW with `interval` as default. */
  log_config?: { interval?: number; hooks?: HookSpec[] } | null;
  /** `{policy: 'cyclic', ...}` → `<Policy>MomentumUpdaterHook` at HIGH. */
  momentum_config?: HookSpec | null;
  /** → `IterTimerHook` at LOW. Default `{type: 'IterTimerHook'}`. */
  timer_config?: HookSpec | null;
  /** `custom_hooks`: each with its own `priority` (name or number), default NORMAL. */
  custom_hooks_config?: HookSpec | HookSpec[] | null;
}

/** Python `str.title()`: `'step'` → `'Step'`, `'cosineannealing'` → `'Cosineannealing'`. */
function pyTitle(s: string): string {
  return s.replace(/[A-Za-z]+/g, (w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());
}

function registerSpec(runner: HookRegistrar, spec: HookSpec | null | undefined, defaultType: string | null, priority: string): void {
  if (spec === null || spec === undefined) return;
  if (spec instanceof Hook) {
    runner.registerHook(spec, priority);
    return;
  }
  const cfg = { ...spec };
  if (defaultType !== null && cfg.type === undefined) cfg.type = defaultType;
  runner.registerHook(runner.buildHook(cfg), priority);
}

/** mmcv `register_lr_hook` / `register_momentum_hook`: pops `policy` and mangles it into a type. */
function registerPolicyHook(runner: HookRegistrar, spec: HookSpec | null | undefined, suffix: string, priority: string): void {
  if (spec === null || spec === undefined) return;
  if (!(spec instanceof Hook)) {
    const policy = spec.policy;
    const key = suffix === 'LrUpdaterHook' ? 'lr_config' : 'momentum_config';
    if (typeof policy !== 'string') {
      throw new KeyError('HOOK_POLICY_MISSING', `'policy'`, { configPath: `${key}.policy`, hint: `${key} needs a policy, e.g. policy='step'` });
    }
    // Porting note: the caller's dict is mutated as in mmcv (`lr_config.pop('policy')`).
    delete spec.policy;
    spec.type = (policy === policy.toLowerCase() ? pyTitle(policy) : policy) + suffix;
  }
  registerSpec(runner, spec, null, priority);
}

/**
 * Registers the default training hooks in mmcv's order and priorities (engine-spec §1.4):
 * LR (VERY_HIGH) → momentum (HIGH) → optimizer (ABOVE_NORMAL) → checkpoint (NORMAL) →
 * timer (LOW) → loggers (VERY_LOW) → custom hooks (their own priority, default NORMAL).
 */
export function registerTrainingHooks(runner: HookRegistrar, cfg: TrainingHooksConfig): void {
  // LR first: every later hook of the iteration sees this iteration's lr.
  registerPolicyHook(runner, cfg.lr_config, 'LrUpdaterHook', 'VERY_HIGH');
  registerPolicyHook(runner, cfg.momentum_config, 'MomentumUpdaterHook', 'HIGH');
  // Optimizer before checkpoint, so a checkpoint holds the stepped weights.
  registerSpec(runner, cfg.optimizer_config, 'OptimizerHook', 'ABOVE_NORMAL');
  // Checkpoint (NORMAL) before eval (LOW): a crash in eval still leaves the checkpoint (mmdet#5343).
  registerSpec(runner, cfg.checkpoint_config, 'CheckpointHook', 'NORMAL');
  const timer = cfg.timer_config === undefined ? { type: 'IterTimerHook' } : cfg.timer_config;
  registerSpec(runner, timer, null, 'LOW');
  // Loggers last: they print what every earlier hook put into the log buffer.
  if (cfg.log_config !== null && cfg.log_config !== undefined) {
    const interval = cfg.log_config.interval ?? 10;
    for (const h of cfg.log_config.hooks ?? []) {
      if (h instanceof Hook) runner.registerHook(h, 'VERY_LOW');
      else runner.registerHook(runner.buildHook({ ...h }, { interval }), 'VERY_LOW');
    }
  }
  const custom = cfg.custom_hooks_config;
  if (custom !== null && custom !== undefined) {
    for (const h of Array.isArray(custom) ? custom : [custom]) {
      if (h instanceof Hook) runner.registerHook(h, 'NORMAL');
      else runner.registerHookFromCfg({ ...h });
    }
  }
}
