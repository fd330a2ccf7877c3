/**
 * @module Port of `mmcv/runner/hooks/lr_updater.py` @ v1.7.2: the `LrUpdaterHook` base (warmup,
 * `regular_lr` caching), the annealing helpers, and the simple policies `Fixed`, `Step`, `Exp`,
 * `Poly`, `Inv`. Cosine policies live in `lr_updater_cosine.ts`, cyclic ones in `lr_updater_cyclic.ts`.
 *
 * Where it runs (EpochBasedRunner; priority VERY_HIGH, so before every other hook):
 *
 * ```
 * before_run          base_lr = [group.initial_lr ??= group.lr]
 * before_train_epoch  resolve warmup_by_epoch; if by_epoch: regular_lr = get_lr(epoch); write it
 * before_train_iter   by_epoch=false: regular_lr = get_lr(iter); write warmup or regular lr
 *                     by_epoch=true:  during warmup write warmup(regular_lr); at iter == warmup_iters
 *                                     write regular_lr; afterwards leave the epoch's value alone
 * ```
 *
 * Porting notes:
 * - Dict optimizers (`runner.optimizer` a dict of optimizers, GAN-style) are not supported: detkit's
 *   `RunnerLike.optimizer` is a single optimizer.
 * - Python distinguishes `1` from `1.0`; JavaScript cannot, so checks that mmcv makes on the Python
 *   type (`isinstance(x, float)`) check the value only.
 */
import { DetkitError, TypeError_, ValueError } from '../../utils/errors.js';
import { assertArg, checkArgs } from '../optim/args.js';
import type { Optimizer, ParamGroup } from '../optim/types.js';
import type { RunnerLike } from '../types.js';
import { Hook } from './hook.js';

/** Warmup curves shared by LR and momentum updaters. */
export type WarmupType = 'constant' | 'linear' | 'exp';

/** Keys every LR updater accepts (`LrUpdaterHook.__init__`). */
export const LR_UPDATER_BASE_KEYS = ['by_epoch', 'warmup', 'warmup_iters', 'warmup_ratio', 'warmup_by_epoch'] as const;

/** Options of every LR updater hook (mmcv `LrUpdaterHook.__init__`). */
export interface LrUpdaterHookConfig {
  /** Update the LR once per epoch (`true`, default) or every iteration. */
  by_epoch?: boolean;
  /** Warmup curve, or `null`/absent for none. */
  warmup?: WarmupType | null;
  /** Warmup length in iterations (epochs when `warmup_by_epoch`); must be > 0 with a warmup. */
  warmup_iters?: number;
  /** LR at warmup start = `warmup_ratio * regular_lr`; in (0, 1]. Default 0.1. */
  warmup_ratio?: number;
  /** Read `warmup_iters` as epochs (converted at the first `before_train_epoch`). */
  warmup_by_epoch?: boolean;
}

/** `end + 0.5 * weight * (start - end) * (cos(pi * factor) + 1)`: cosine from `start` (factor 0) to `end` (factor 1). */
export function annealingCos(start: number, end: number, factor: number, weight = 1): number {
  const cosOut = Math.cos(Math.PI * factor) + 1;
  return end + 0.5 * weight * (start - end) * cosOut;
}

/** `start + (end - start) * factor`: linear from `start` (factor 0) to `end` (factor 1). */
export function annealingLinear(start: number, end: number, factor: number): number {
  return start + (end - start) * factor;
}

/** An annealing curve (`'cos'` → {@link annealingCos}, `'linear'` → {@link annealingLinear}). */
export type AnnealFunc = (start: number, end: number, factor: number) => number;

/**
 * Resolves `anneal_strategy` as mmcv's cyclic / one-cycle hooks do.
 * @throws ValueError `LR_ANNEAL_STRATEGY` for anything but `'cos'` or `'linear'`
 */
export function annealFunc(strategy: unknown): AnnealFunc {
  if (strategy === 'cos') return (s, e, f) => annealingCos(s, e, f);
  if (strategy === 'linear') return annealingLinear;
  throw new ValueError('LR_ANNEAL_STRATEGY', `anneal_strategy must be one of "cos" or "linear", instead got ${String(strategy)}`);
}

/**
 * mmcv `format_param`: one value per param group from a number or a per-group list.
 * @param name optimizer class name, for the message
 * @throws ValueError `LR_PARAM_GROUPS` when a list's length differs from the number of groups
 */
export function formatParam(name: string, optim: Optimizer, param: number | number[]): number[] {
  const n = optim.paramGroups.length;
  if (typeof param === 'number') return new Array<number>(n).fill(param);
  if (Array.isArray(param)) {
    if (param.length !== n) throw new ValueError('LR_PARAM_GROUPS', `expected ${n} values for ${name}, got ${param.length}`);
    return param;
  }
  throw new ValueError('LR_PARAM_GROUPS', `${name}: dict values (one per optimizer) need a dict of optimizers, which detkit does not support`);
}

/** The runner's optimizer, or a clear error when the runner has none. */
export function requireOptimizer(runner: RunnerLike, hook: string): Optimizer {
  if (runner.optimizer === null) {
    throw new DetkitError('HOOK_NO_OPTIMIZER', `${hook} needs runner.optimizer, but the runner has none`, {
      hint: 'set `optimizer` in the config (e.g. dict(type="SGD", lr=0.02, momentum=0.9))',
    });
  }
  return runner.optimizer;
}

/** Validates the shared warmup arguments (mmcv's ValueError / asserts, same texts). */
export function validateWarmup(warmup: unknown, warmupIters: number, warmupRatio: number, ratioName: string): void {
  if (warmup !== null && warmup !== undefined) {
    if (warmup !== 'constant' && warmup !== 'linear' && warmup !== 'exp') {
      throw new ValueError('WARMUP_TYPE', `"${String(warmup)}" is not a supported type for warming up, valid types are "constant", "linear" and "exp"`);
    }
    assertArg(typeof warmupIters === 'number' && warmupIters > 0, 'WARMUP_ITERS', '"warmup_iters" must be a positive integer');
    assertArg(typeof warmupRatio === 'number' && warmupRatio > 0 && warmupRatio <= 1, 'WARMUP_RATIO', `"${ratioName}" must be in range (0,1]`);
  }
}

/**
 * Validates a `step` argument (int or list of ints, all > 0).
 * @throws AssertionError_ `STEP_VALUE` for non-positive or non-integer entries
 * @throws TypeError_ `STEP_TYPE` for anything but a number or a list
 */
export function validateStep(step: unknown): number | number[] {
  if (Array.isArray(step)) {
    assertArg(step.every((s) => typeof s === 'number' && Number.isInteger(s)), 'STEP_VALUE', '"step" must be a list of integers');
    assertArg(step.every((s: number) => s > 0), 'STEP_VALUE', '"step" values must be positive');
    return step as number[];
  }
  if (typeof step === 'number' && Number.isInteger(step)) {
    assertArg(step > 0, 'STEP_VALUE', '"step" must be positive');
    return step;
  }
  throw new TypeError_('STEP_TYPE', '"step" must be a list or integer');
}

/**
 * Progress of a run in the hook's unit: `[epoch, max_epochs]` when `byEpoch`, else
 * `[iter, max_iters]` (mmcv's `progress`/`max_progress` pair of every annealing policy).
 */
export function runProgress(runner: RunnerLike, byEpoch: boolean): [number, number] {
  return byEpoch ? [runner.epoch, runner.max_epochs] : [runner.iter, runner.max_iters];
}

/** Number of decays at `progress`: `progress // step`, or the index of the first milestone `> progress`. */
export function stepExponent(step: number | number[], progress: number): number {
  if (typeof step === 'number') return Math.floor(progress / step);
  for (let i = 0; i < step.length; i++) if (progress < step[i]) return i;
  return step.length;
}

/**
 * Base of the LR schedules (mmcv `LrUpdaterHook`). Subclasses implement {@link get_lr}.
 * Writes `param_groups[i].lr` of `runner.optimizer`; records `initial_lr` on each group.
 */
export abstract class LrUpdaterHook extends Hook {
  static override readonly type: string = 'LrUpdaterHook';
  readonly by_epoch: boolean;
  readonly warmup: WarmupType | null;
  /** Warmup length in iterations; `null` until resolved when `warmup_by_epoch`. */
  warmup_iters: number | null;
  readonly warmup_ratio: number;
  readonly warmup_by_epoch: boolean;
  readonly warmup_epochs: number | null;
  /** `initial_lr` of each param group, recorded at `before_run`. */
  base_lr: number[] = [];
  /** LR each group would have without warmup (cached at epoch start when `by_epoch`). */
  regular_lr: number[] = [];

  constructor(cfg: LrUpdaterHookConfig = {}) {
    super();
    const warmupIters = cfg.warmup_iters ?? 0;
    const warmupRatio = cfg.warmup_ratio ?? 0.1;
    validateWarmup(cfg.warmup, warmupIters, warmupRatio, 'warmup_ratio');
    this.by_epoch = cfg.by_epoch ?? true;
    this.warmup = cfg.warmup ?? null;
    this.warmup_ratio = warmupRatio;
    this.warmup_by_epoch = cfg.warmup_by_epoch ?? false;
    if (this.warmup_by_epoch) {
      this.warmup_epochs = warmupIters;
      this.warmup_iters = null;
    } else {
      this.warmup_epochs = null;
      this.warmup_iters = warmupIters;
    }
  }

  /** The scheduled LR of a group whose base LR is `base_lr`, at the runner's current epoch/iter. */
  abstract get_lr(runner: RunnerLike, base_lr: number): number;

  /** Writes one LR per param group (zip order: extra values or groups are ignored). */
  protected setLr(runner: RunnerLike, lrs: readonly number[]): void {
    const groups = requireOptimizer(runner, this.typeName).paramGroups;
    const n = Math.min(groups.length, lrs.length);
    for (let i = 0; i < n; i++) groups[i].lr = lrs[i];
  }

  /** `[get_lr(runner, b) for b in base_lr]`. */
  get_regular_lr(runner: RunnerLike): number[] {
    return this.base_lr.map((b) => this.get_lr(runner, b));
  }

  /** Warmup LRs at iteration `cur` derived from {@link regular_lr}. */
  get_warmup_lr(cur: number): number[] {
    const w = this.warmup_iters as number;
    const r = this.warmup_ratio;
    if (this.warmup === 'constant') return this.regular_lr.map((lr) => lr * r);
    if (this.warmup === 'linear') {
      const k = (1 - cur / w) * (1 - r);
      return this.regular_lr.map((lr) => lr * (1 - k));
    }
    const k = r ** (1 - cur / w);
    return this.regular_lr.map((lr) => lr * k);
  }

  override before_run(runner: RunnerLike): void {
    const groups = requireOptimizer(runner, this.typeName).paramGroups;
    // Porting note: `setdefault` keeps an `initial_lr` restored from a checkpoint (mmcv resume pitfall).
    for (const g of groups) if (!('initial_lr' in g) || g.initial_lr === undefined) g.initial_lr = g.lr;
    this.base_lr = groups.map((g: ParamGroup) => g.initial_lr as number);
  }

  override before_train_epoch(runner: RunnerLike): void {
    if (this.warmup_iters === null) {
      const epochLen = runner.data_loader?.length ?? 0;
      this.warmup_iters = (this.warmup_epochs as number) * epochLen;
    }
    if (!this.by_epoch) return;
    this.regular_lr = this.get_regular_lr(runner);
    this.setLr(runner, this.regular_lr);
  }

  override before_train_iter(runner: RunnerLike): void {
    const cur = runner.iter;
    assertArg(
      typeof this.warmup_iters === 'number' && Number.isInteger(this.warmup_iters),
      'WARMUP_ITERS_UNRESOLVED',
      `${this.typeName}: warmup_iters is not an integer (warmup_by_epoch needs before_train_epoch, which IterBasedRunner never calls)`,
    );
    const warmupIters = this.warmup_iters;
    if (!this.by_epoch) {
      this.regular_lr = this.get_regular_lr(runner);
      if (this.warmup === null || cur >= warmupIters) this.setLr(runner, this.regular_lr);
      else this.setLr(runner, this.get_warmup_lr(cur));
    } else {
      if (this.warmup === null || cur > warmupIters) return;
      if (cur === warmupIters) this.setLr(runner, this.regular_lr);
      else this.setLr(runner, this.get_warmup_lr(cur));
    }
  }
}

/** `lr_config = dict(policy='fixed')`: the LR stays at the base LR (plus warmup). */
export type FixedLrUpdaterHookConfig = LrUpdaterHookConfig;

/** Constant LR (mmcv `FixedLrUpdaterHook`); useful with a warmup. */
export class FixedLrUpdaterHook extends LrUpdaterHook {
  static override readonly type: string = 'FixedLrUpdaterHook';
  constructor(cfg: FixedLrUpdaterHookConfig = {}) {
    checkArgs(cfg, LR_UPDATER_BASE_KEYS, 'FixedLrUpdaterHook');
    super(cfg);
  }
  get_lr(_runner: RunnerLike, base_lr: number): number {
    return base_lr;
  }
}

/** `lr_config = dict(policy='step', step=[8, 11])`. */
export interface StepLrUpdaterHookConfig extends LrUpdaterHookConfig {
  /** Decay interval (int) or milestones (list), in epochs (`by_epoch`) or iterations. */
  step: number | number[];
  /** Decay factor per step. Default 0.1. */
  gamma?: number;
  /** Lower bound on the LR; `null` (default) for none. */
  min_lr?: number | null;
}

/** Step decay: `base * gamma ** k` with `k` steps passed, clipped below at `min_lr` (mmcv `StepLrUpdaterHook`). */
export class StepLrUpdaterHook extends LrUpdaterHook {
  static override readonly type: string = 'StepLrUpdaterHook';
  readonly step: number | number[];
  readonly gamma: number;
  readonly min_lr: number | null;
  constructor(cfg: StepLrUpdaterHookConfig) {
    checkArgs(cfg, ['step', 'gamma', 'min_lr', ...LR_UPDATER_BASE_KEYS], 'StepLrUpdaterHook');
    const step = validateStep(cfg.step);
    super(cfg);
    this.step = step;
    this.gamma = cfg.gamma ?? 0.1;
    this.min_lr = cfg.min_lr ?? null;
  }
  get_lr(runner: RunnerLike, base_lr: number): number {
    const progress = this.by_epoch ? runner.epoch : runner.iter;
    const lr = base_lr * this.gamma ** stepExponent(this.step, progress);
    return this.min_lr === null ? lr : Math.max(lr, this.min_lr);
  }
}

/** `lr_config = dict(policy='exp', gamma=0.9)`. */
export interface ExpLrUpdaterHookConfig extends LrUpdaterHookConfig {
  /** Factor per epoch (or iteration). */
  gamma: number;
}

/** Exponential decay `base * gamma ** progress` (mmcv `ExpLrUpdaterHook`). */
export class ExpLrUpdaterHook extends LrUpdaterHook {
  static override readonly type: string = 'ExpLrUpdaterHook';
  readonly gamma: number;
  constructor(cfg: ExpLrUpdaterHookConfig) {
    checkArgs(cfg, ['gamma', ...LR_UPDATER_BASE_KEYS], 'ExpLrUpdaterHook');
    requireNumber(cfg.gamma, 'gamma', 'ExpLrUpdaterHook');
    super(cfg);
    this.gamma = cfg.gamma;
  }
  get_lr(runner: RunnerLike, base_lr: number): number {
    const progress = this.by_epoch ? runner.epoch : runner.iter;
    return base_lr * this.gamma ** progress;
  }
}

/** `lr_config = dict(policy='poly', power=0.9, min_lr=1e-4, by_epoch=False)`. */
export interface PolyLrUpdaterHookConfig extends LrUpdaterHookConfig {
  /** Exponent. Default 1. */
  power?: number;
  /** LR reached at the end of training. Default 0. */
  min_lr?: number;
}

/** Polynomial decay `(base - min_lr) * (1 - progress/max) ** power + min_lr` (mmcv `PolyLrUpdaterHook`). */
export class PolyLrUpdaterHook extends LrUpdaterHook {
  static override readonly type: string = 'PolyLrUpdaterHook';
  readonly power: number;
  readonly min_lr: number;
  constructor(cfg: PolyLrUpdaterHookConfig = {}) {
    checkArgs(cfg, ['power', 'min_lr', ...LR_UPDATER_BASE_KEYS], 'PolyLrUpdaterHook');
    super(cfg);
    this.power = cfg.power ?? 1;
    this.min_lr = cfg.min_lr ?? 0;
  }
  get_lr(runner: RunnerLike, base_lr: number): number {
    const [progress, max] = runProgress(runner, this.by_epoch);
    const coeff = (1 - progress / max) ** this.power;
    return (base_lr - this.min_lr) * coeff + this.min_lr;
  }
}

/** `lr_config = dict(policy='inv', gamma=1e-4, power=0.75)`. */
export interface InvLrUpdaterHookConfig extends LrUpdaterHookConfig {
  gamma: number;
  /** Default 1. */
  power?: number;
}

/** Inverse decay `base * (1 + gamma * progress) ** -power` (mmcv `InvLrUpdaterHook`). */
export class InvLrUpdaterHook extends LrUpdaterHook {
  static override readonly type: string = 'InvLrUpdaterHook';
  readonly gamma: number;
  readonly power: number;
  constructor(cfg: InvLrUpdaterHookConfig) {
    checkArgs(cfg, ['gamma', 'power', ...LR_UPDATER_BASE_KEYS], 'InvLrUpdaterHook');
    requireNumber(cfg.gamma, 'gamma', 'InvLrUpdaterHook');
    super(cfg);
    this.gamma = cfg.gamma;
    this.power = cfg.power ?? 1;
  }
  get_lr(runner: RunnerLike, base_lr: number): number {
    const progress = this.by_epoch ? runner.epoch : runner.iter;
    return base_lr * (1 + this.gamma * progress) ** -this.power;
  }
}

/**
 * A required numeric argument (Python: `__init__() missing 1 required positional argument`).
 * @throws TypeError_ `MISSING_ARG` when absent, `ARG_TYPE` when not a number
 */
export function requireNumber(v: unknown, key: string, owner: string): asserts v is number {
  if (v === undefined || v === null) throw new TypeError_('MISSING_ARG', `${owner}.__init__() missing 1 required positional argument: '${key}'`);
  if (typeof v !== 'number') throw new TypeError_('ARG_TYPE', `${owner}: "${key}" must be a number, got ${JSON.stringify(v)}`);
}
