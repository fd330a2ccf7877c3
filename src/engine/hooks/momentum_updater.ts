/**
 * @module Port of `mmcv/runner/hooks/momentum_updater.py` @ v1.7.2: the `MomentumUpdaterHook` base and
 * the `Step`, `CosineAnnealing`, `LinearAnnealing` policies (cyclic ones: `momentum_updater_cyclic.ts`).
 *
 * Same skeleton as the LR updaters (priority HIGH, after the LR hook): `before_run` records
 * `initial_momentum` (from `momentum`, else `betas[0]`), `before_train_epoch` / `before_train_iter`
 * write the regular or warmup momentum. Warmup DIVIDES (momentum starts high): constant `m / r`,
 * linear `m / (1 - (1 - cur/W)(1 - r))`, exp `m / r ** (1 - cur/W)`. There is no `warmup_by_epoch`.
 * A group with a `momentum` key gets `momentum`; otherwise one with `betas` gets `betas[0]`.
 */
import { KeyError } from '../../utils/errors.js';
import { assertArg, checkArgs } from '../optim/args.js';
import type { ParamGroup } from '../optim/types.js';
import type { RunnerLike } from '../types.js';
import { Hook } from './hook.js';
import { annealingCos, annealingLinear, requireOptimizer, runProgress, stepExponent, validateStep, validateWarmup, type WarmupType } from './lr_updater.js';

/** Keys every momentum updater accepts (`MomentumUpdaterHook.__init__`). */
export const MOMENTUM_UPDATER_BASE_KEYS = ['by_epoch', 'warmup', 'warmup_iters', 'warmup_ratio'] as const;

/** Options of every momentum updater hook. */
export interface MomentumUpdaterHookConfig {
  /** Update once per epoch (default) or every iteration. */
  by_epoch?: boolean;
  warmup?: WarmupType | null;
  /** Warmup length in iterations (> 0 with a warmup). */
  warmup_iters?: number;
  /** Momentum at warmup start = `regular / warmup_ratio`; in (0, 1]. Default 0.9. */
  warmup_ratio?: number;
}

/** The momentum a group currently uses (`momentum`, else `betas[0]`). */
export function groupMomentum(g: ParamGroup): number {
  if ('momentum' in g && g.momentum !== undefined) return g.momentum;
  if (g.betas !== undefined) return g.betas[0];
  throw new KeyError('MOMENTUM_MISSING', "'betas'", { hint: 'momentum schedules need an optimizer with `momentum` (SGD, RMSprop) or `betas` (Adam, AdamW)' });
}

/** Writes `m` to a group's `momentum` key, else to `betas[0]` (mmcv `_set_momentum`). */
export function setGroupMomentum(g: ParamGroup, m: number): void {
  if ('momentum' in g && g.momentum !== undefined) g.momentum = m;
  else if (g.betas !== undefined) g.betas = [m, g.betas[1]];
}

/** Base of the momentum schedules (mmcv `MomentumUpdaterHook`). Subclasses implement {@link get_momentum}. */
export abstract class MomentumUpdaterHook extends Hook {
  static override readonly type: string = 'MomentumUpdaterHook';
  readonly by_epoch: boolean;
  readonly warmup: WarmupType | null;
  readonly warmup_iters: number;
  readonly warmup_ratio: number;
  /** `initial_momentum` of each param group, recorded at `before_run`. */
  base_momentum: number[] = [];
  /** Momentum each group would have without warmup. */
  regular_momentum: number[] = [];

  constructor(cfg: MomentumUpdaterHookConfig = {}) {
    super();
    const warmupIters = cfg.warmup_iters ?? 0;
    const warmupRatio = cfg.warmup_ratio ?? 0.9;
    validateWarmup(cfg.warmup, warmupIters, warmupRatio, 'warmup_momentum');
    this.by_epoch = cfg.by_epoch ?? true;
    this.warmup = cfg.warmup ?? null;
    this.warmup_iters = warmupIters;
    this.warmup_ratio = warmupRatio;
  }

  /**
   * The scheduled momentum of a group whose base momentum is `base`.
   * @param group the param group itself (1cycle reads its `base_momentum` / `max_momentum`)
   */
  abstract get_momentum(runner: RunnerLike, base: number, group: ParamGroup): number;

  /** Writes one momentum per param group (zip order). */
  protected setMomentum(runner: RunnerLike, values: readonly number[]): void {
    const groups = requireOptimizer(runner, this.typeName).paramGroups;
    const n = Math.min(groups.length, values.length);
    for (let i = 0; i < n; i++) setGroupMomentum(groups[i], values[i]);
  }

  /** `[get_momentum(runner, b) for b in base_momentum]`. */
  get_regular_momentum(runner: RunnerLike): number[] {
    const groups = requireOptimizer(runner, this.typeName).paramGroups;
    return this.base_momentum.slice(0, groups.length).map((b, i) => this.get_momentum(runner, b, groups[i]));
  }

  /** Warmup momenta at iteration `cur`, derived from {@link regular_momentum}. */
  get_warmup_momentum(cur: number): number[] {
    const r = this.warmup_ratio;
    const w = this.warmup_iters;
    if (this.warmup === 'constant') return this.regular_momentum.map((m) => m / r);
    if (this.warmup === 'linear') {
      const k = (1 - cur / w) * (1 - r);
      return this.regular_momentum.map((m) => m / (1 - k));
    }
    const k = r ** (1 - cur / w);
    return this.regular_momentum.map((m) => m / k);
  }

  override before_run(runner: RunnerLike): void {
    const groups = requireOptimizer(runner, this.typeName).paramGroups;
    for (const g of groups) {
      if (!('initial_momentum' in g) || g.initial_momentum === undefined) g.initial_momentum = groupMomentum(g);
    }
    this.base_momentum = groups.map((g) => g.initial_momentum as number);
  }

  override before_train_epoch(runner: RunnerLike): void {
    if (!this.by_epoch) return;
    this.regular_momentum = this.get_regular_momentum(runner);
    this.setMomentum(runner, this.regular_momentum);
  }

  override before_train_iter(runner: RunnerLike): void {
    const cur = runner.iter;
    if (!this.by_epoch) {
      this.regular_momentum = this.get_regular_momentum(runner);
      if (this.warmup === null || cur >= this.warmup_iters) this.setMomentum(runner, this.regular_momentum);
      else this.setMomentum(runner, this.get_warmup_momentum(cur));
    } else {
      if (this.warmup === null || cur > this.warmup_iters) return;
      if (cur === this.warmup_iters) this.setMomentum(runner, this.regular_momentum);
      else this.setMomentum(runner, this.get_warmup_momentum(cur));
    }
  }
}

/** `momentum_config = dict(policy='step', step=[8, 11], gamma=0.5)`. */
export interface StepMomentumUpdaterHookConfig extends MomentumUpdaterHookConfig {
  /** Decay interval (int) or milestones (list). */
  step: number | number[];
  /** Decay factor per step. Default 0.5. */
  gamma?: number;
  /** Lower bound; `null` (default) for none. */
  min_momentum?: number | null;
}

/** Step decay of the momentum (mmcv `StepMomentumUpdaterHook`). */
export class StepMomentumUpdaterHook extends MomentumUpdaterHook {
  static override readonly type: string = 'StepMomentumUpdaterHook';
  readonly step: number | number[];
  readonly gamma: number;
  readonly min_momentum: number | null;
  constructor(cfg: StepMomentumUpdaterHookConfig) {
    checkArgs(cfg, ['step', 'gamma', 'min_momentum', ...MOMENTUM_UPDATER_BASE_KEYS], 'StepMomentumUpdaterHook');
    const step = validateStep(cfg.step);
    super(cfg);
    this.step = step;
    this.gamma = cfg.gamma ?? 0.5;
    this.min_momentum = cfg.min_momentum ?? null;
  }
  get_momentum(runner: RunnerLike, base: number): number {
    const progress = this.by_epoch ? runner.epoch : runner.iter;
    const m = base * this.gamma ** stepExponent(this.step, progress);
    return this.min_momentum === null ? m : Math.max(m, this.min_momentum);
  }
}

/** Exactly one of `min_momentum` / `min_momentum_ratio`. */
export interface MinMomentumConfig {
  min_momentum?: number | null;
  min_momentum_ratio?: number | null;
}

function checkMinMomentum(cfg: MinMomentumConfig): [number | null, number | null] {
  const m = cfg.min_momentum ?? null;
  const r = cfg.min_momentum_ratio ?? null;
  assertArg((m === null) !== (r === null), 'MOMENTUM_MIN_XOR', 'exactly one of "min_momentum" and "min_momentum_ratio" must be given');
  return [m, r];
}

/** `momentum_config = dict(policy='CosineAnnealing', min_momentum_ratio=0.9)`. */
export interface CosineAnnealingMomentumUpdaterHookConfig extends MomentumUpdaterHookConfig, MinMomentumConfig {}

/** Cosine from the base momentum to the target (mmcv `CosineAnnealingMomentumUpdaterHook`). */
export class CosineAnnealingMomentumUpdaterHook extends MomentumUpdaterHook {
  static override readonly type: string = 'CosineAnnealingMomentumUpdaterHook';
  readonly min_momentum: number | null;
  readonly min_momentum_ratio: number | null;
  /** The curve from the base momentum (`factor` 0) to the target (`factor` 1). */
  protected readonly anneal: (start: number, end: number, factor: number) => number = annealingCos;
  constructor(cfg: CosineAnnealingMomentumUpdaterHookConfig) {
    checkArgs(cfg, ['min_momentum', 'min_momentum_ratio', ...MOMENTUM_UPDATER_BASE_KEYS], new.target.type);
    const [m, r] = checkMinMomentum(cfg);
    super(cfg);
    this.min_momentum = m;
    this.min_momentum_ratio = r;
  }
  get_momentum(runner: RunnerLike, base: number): number {
    const [progress, max] = runProgress(runner, this.by_epoch);
    const target = this.min_momentum_ratio !== null ? base * this.min_momentum_ratio : (this.min_momentum as number);
    return this.anneal(base, target, progress / max);
  }
}

/** `momentum_config = dict(policy='LinearAnnealing', min_momentum=0.85)`. */
export interface LinearAnnealingMomentumUpdaterHookConfig extends MomentumUpdaterHookConfig, MinMomentumConfig {}

/**
 * Linear from the base momentum to the target (mmcv `LinearAnnealingMomentumUpdaterHook`).
 * Porting note: a subclass of the cosine policy here; they differ only in the curve.
 */
export class LinearAnnealingMomentumUpdaterHook extends CosineAnnealingMomentumUpdaterHook {
  static override readonly type: string = 'LinearAnnealingMomentumUpdaterHook';
  protected override readonly anneal = annealingLinear;
}
