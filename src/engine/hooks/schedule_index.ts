/**
 * @module The LR / momentum / optimizer hooks of this package and how configs reach them: the list
 * the engine registers in HOOKS, and mmcv's `register_lr_hook` / `register_momentum_hook` policy
 * name mangling (`policy='step'` → `StepLrUpdaterHook`).
 */
import type { Registry } from '../../registry/registry.js';
import { configFileOf, configPathOf } from '../../utils/config_meta.js';
import { AssertionError_, KeyError } from '../../utils/errors.js';
import { nearestNames } from '../../utils/nearest.js';
import {
  ExpLrUpdaterHook,
  type ExpLrUpdaterHookConfig,
  FixedLrUpdaterHook,
  type FixedLrUpdaterHookConfig,
  InvLrUpdaterHook,
  type InvLrUpdaterHookConfig,
  LrUpdaterHook,
  PolyLrUpdaterHook,
  type PolyLrUpdaterHookConfig,
  StepLrUpdaterHook,
  type StepLrUpdaterHookConfig,
} from './lr_updater.js';
import {
  CosineAnnealingLrUpdaterHook,
  type CosineAnnealingLrUpdaterHookConfig,
  CosineRestartLrUpdaterHook,
  type CosineRestartLrUpdaterHookConfig,
  FlatCosineAnnealingLrUpdaterHook,
  type FlatCosineAnnealingLrUpdaterHookConfig,
  LinearAnnealingLrUpdaterHook,
  type LinearAnnealingLrUpdaterHookConfig,
} from './lr_updater_cosine.js';
import { CyclicLrUpdaterHook, type CyclicLrUpdaterHookConfig, OneCycleLrUpdaterHook, type OneCycleLrUpdaterHookConfig } from './lr_updater_cyclic.js';
import {
  CosineAnnealingMomentumUpdaterHook,
  type CosineAnnealingMomentumUpdaterHookConfig,
  LinearAnnealingMomentumUpdaterHook,
  type LinearAnnealingMomentumUpdaterHookConfig,
  MomentumUpdaterHook,
  StepMomentumUpdaterHook,
  type StepMomentumUpdaterHookConfig,
} from './momentum_updater.js';
import {
  CyclicMomentumUpdaterHook,
  type CyclicMomentumUpdaterHookConfig,
  OneCycleMomentumUpdaterHook,
  type OneCycleMomentumUpdaterHookConfig,
} from './momentum_updater_cyclic.js';
import {
  GradientCumulativeOptimizerHook,
  type GradientCumulativeOptimizerHookConfig,
  OptimizerHook,
  type OptimizerHookConfig,
} from './optimizer.js';

declare module '../../registry/root.js' {
  interface HookTypes {
    FixedLrUpdaterHook: FixedLrUpdaterHookConfig;
    StepLrUpdaterHook: StepLrUpdaterHookConfig;
    ExpLrUpdaterHook: ExpLrUpdaterHookConfig;
    PolyLrUpdaterHook: PolyLrUpdaterHookConfig;
    InvLrUpdaterHook: InvLrUpdaterHookConfig;
    CosineAnnealingLrUpdaterHook: CosineAnnealingLrUpdaterHookConfig;
    FlatCosineAnnealingLrUpdaterHook: FlatCosineAnnealingLrUpdaterHookConfig;
    CosineRestartLrUpdaterHook: CosineRestartLrUpdaterHookConfig;
    CyclicLrUpdaterHook: CyclicLrUpdaterHookConfig;
    OneCycleLrUpdaterHook: OneCycleLrUpdaterHookConfig;
    LinearAnnealingLrUpdaterHook: LinearAnnealingLrUpdaterHookConfig;
    StepMomentumUpdaterHook: StepMomentumUpdaterHookConfig;
    CosineAnnealingMomentumUpdaterHook: CosineAnnealingMomentumUpdaterHookConfig;
    LinearAnnealingMomentumUpdaterHook: LinearAnnealingMomentumUpdaterHookConfig;
    CyclicMomentumUpdaterHook: CyclicMomentumUpdaterHookConfig;
    OneCycleMomentumUpdaterHook: OneCycleMomentumUpdaterHookConfig;
    OptimizerHook: OptimizerHookConfig;
    GradientCumulativeOptimizerHook: GradientCumulativeOptimizerHookConfig;
  }
}

/** Every LR updater hook class, registered under its `type`. */
export const LR_UPDATER_HOOKS = [
  FixedLrUpdaterHook,
  StepLrUpdaterHook,
  ExpLrUpdaterHook,
  PolyLrUpdaterHook,
  InvLrUpdaterHook,
  CosineAnnealingLrUpdaterHook,
  FlatCosineAnnealingLrUpdaterHook,
  CosineRestartLrUpdaterHook,
  CyclicLrUpdaterHook,
  OneCycleLrUpdaterHook,
  LinearAnnealingLrUpdaterHook,
] as const;

/** Every momentum updater hook class. */
export const MOMENTUM_UPDATER_HOOKS = [
  StepMomentumUpdaterHook,
  CosineAnnealingMomentumUpdaterHook,
  LinearAnnealingMomentumUpdaterHook,
  CyclicMomentumUpdaterHook,
  OneCycleMomentumUpdaterHook,
] as const;

/** The optimizer hooks. */
export const OPTIMIZER_HOOKS = [OptimizerHook, GradientCumulativeOptimizerHook] as const;

/** Registers every hook above in `hooks` (call once, from the engine's index). */
export function registerScheduleHooks(hooks: Registry): void {
  for (const H of [...LR_UPDATER_HOOKS, ...MOMENTUM_UPDATER_HOOKS, ...OPTIMIZER_HOOKS]) hooks.register(H.type, H);
}

/** Python's `str.title()`: upper-case the first letter of each run of letters, lower-case the rest. */
export function pyTitle(s: string): string {
  let out = '';
  let prevCased = false;
  for (const c of s) {
    const cased = c.toLowerCase() !== c.toUpperCase();
    out += cased ? (prevCased ? c.toLowerCase() : c.toUpperCase()) : c;
    prevCased = cased;
  }
  return out;
}

/**
 * The hook `type` of a `policy` as mmcv names it: an all-lower-case policy is title-cased
 * (`'step'` → `'Step'`, `'cosineannealing'` → `'Cosineannealing'`, which then fails lookup), any
 * other is used verbatim; then the suffix is appended.
 */
export function policyHookType(policy: string, suffix: 'LrUpdaterHook' | 'MomentumUpdaterHook'): string {
  return `${policy === policy.toLowerCase() ? pyTitle(policy) : policy}${suffix}`;
}

/** `lr_config` / `momentum_config` as configs write them. */
export interface PolicyConfig {
  /** `step`, `CosineAnnealing`, `cyclic`, `OneCycle`, ... */
  policy: string;
  [key: string]: unknown;
}

function buildPolicyHook<T>(
  cfg: PolicyConfig | T,
  suffix: 'LrUpdaterHook' | 'MomentumUpdaterHook',
  builtins: ReadonlyArray<{ type: string }>,
  base: abstract new (...a: never[]) => unknown,
  registry: Registry | undefined,
  defaultPath: string,
): T {
  if (cfg instanceof base) return cfg as T;
  const node = cfg as PolicyConfig;
  const path = configPathOf(node) ?? defaultPath;
  const file = configFileOf(node);
  if (typeof node.policy !== 'string') {
    throw new AssertionError_('POLICY_MISSING', `${path} must have a string "policy"`, { configPath: `${path}.policy`, file });
  }
  const { policy, ...args } = node;
  const type = policyHookType(policy, suffix);
  const Builtin = builtins.find((H) => H.type === type) as (new (a: Record<string, unknown>) => T) | undefined;
  if (registry?.has(type) === true) return registry.build<T>({ ...args, type }, undefined, { path, file });
  if (Builtin === undefined) {
    const names = [...builtins.map((H) => H.type), ...(registry?.keys() ?? [])].filter((n) => n.endsWith(suffix));
    throw new KeyError('REGISTRY_TYPE_NOT_FOUND', `${type} is not in the hook registry (from ${path}.policy='${policy}')`, {
      configPath: `${path}.policy`,
      file,
      hint: `known policies: ${nearestNames(type, names).map((n) => `'${n.slice(0, -suffix.length)}'`).join(', ')}`,
    });
  }
  try {
    return new Builtin(args);
  } catch (err) {
    if (err instanceof Error && 'code' in err) {
      const e = err as AssertionError_;
      const message = e.message.startsWith(type) ? e.message : `${type}: ${e.message}`;
      throw new (e.constructor as typeof AssertionError_)(e.code, message, { configPath: path, file, hint: e.hint, cause: err });
    }
    throw err;
  }
}

/**
 * Builds the LR hook from `lr_config` (mmcv `register_lr_hook`); a hook instance passes through.
 * The config is not mutated (mmcv pops `policy` from the caller's dict).
 * @param registry HOOKS, for policies registered by users; built-ins resolve without it
 * @throws KeyError `REGISTRY_TYPE_NOT_FOUND` for an unknown policy
 */
export function buildLrUpdaterHook(lrConfig: PolicyConfig | LrUpdaterHook, registry?: Registry): LrUpdaterHook {
  return buildPolicyHook<LrUpdaterHook>(lrConfig, 'LrUpdaterHook', LR_UPDATER_HOOKS, LrUpdaterHook, registry, 'lr_config');
}

/** Builds the momentum hook from `momentum_config` (mmcv `register_momentum_hook`). */
export function buildMomentumUpdaterHook(momentumConfig: PolicyConfig | MomentumUpdaterHook, registry?: Registry): MomentumUpdaterHook {
  return buildPolicyHook<MomentumUpdaterHook>(momentumConfig, 'MomentumUpdaterHook', MOMENTUM_UPDATER_HOOKS, MomentumUpdaterHook, registry, 'momentum_config');
}
