/**
 * @module Port of the cosine and linear-annealing policies of `mmcv/runner/hooks/lr_updater.py` @ v1.7.2:
 * `CosineAnnealingLrUpdaterHook`, `FlatCosineAnnealingLrUpdaterHook`, `CosineRestartLrUpdaterHook`,
 * `LinearAnnealingLrUpdaterHook` (each a small `get_lr` on the {@link LrUpdaterHook} skeleton).
 */
import { ValueError } from '../../utils/errors.js';
import { assertArg, checkArgs, pyRepr } from '../optim/args.js';
import type { RunnerLike } from '../types.js';
import { annealingCos, annealingLinear, LR_UPDATER_BASE_KEYS, LrUpdaterHook, type LrUpdaterHookConfig, runProgress } from './lr_updater.js';

/** Exactly one of `min_lr` / `min_lr_ratio` (mmcv `assert (min_lr is None) ^ (min_lr_ratio is None)`). */
export interface MinLrConfig {
  /** Absolute LR at the end of the curve. */
  min_lr?: number | null;
  /** End LR as a fraction of each group's base LR. */
  min_lr_ratio?: number | null;
}

function checkMinLr(cfg: MinLrConfig): { minLr: number | null; ratio: number | null } {
  const minLr = cfg.min_lr ?? null;
  const ratio = cfg.min_lr_ratio ?? null;
  assertArg((minLr === null) !== (ratio === null), 'LR_MIN_LR_XOR', 'exactly one of "min_lr" and "min_lr_ratio" must be given');
  return { minLr, ratio };
}

function targetLr(base: number, minLr: number | null, ratio: number | null): number {
  return ratio !== null ? base * ratio : (minLr as number);
}

/** `lr_config = dict(policy='CosineAnnealing', min_lr_ratio=1e-3)`. */
export interface CosineAnnealingLrUpdaterHookConfig extends LrUpdaterHookConfig, MinLrConfig {}

/** Cosine from the base LR to the target over the whole run (mmcv `CosineAnnealingLrUpdaterHook`). */
export class CosineAnnealingLrUpdaterHook extends LrUpdaterHook {
  static override readonly type: string = 'CosineAnnealingLrUpdaterHook';
  readonly min_lr: number | null;
  readonly min_lr_ratio: number | null;
  /** The curve from the base LR (`factor` 0) to the target (`factor` 1). */
  protected readonly anneal: (start: number, end: number, factor: number) => number = annealingCos;
  constructor(cfg: CosineAnnealingLrUpdaterHookConfig) {
    checkArgs(cfg, ['min_lr', 'min_lr_ratio', ...LR_UPDATER_BASE_KEYS], new.target.type);
    const { minLr, ratio } = checkMinLr(cfg);
    super(cfg);
    this.min_lr = minLr;
    this.min_lr_ratio = ratio;
  }
  get_lr(runner: RunnerLike, base_lr: number): number {
    const [progress, max] = runProgress(runner, this.by_epoch);
    return this.anneal(base_lr, targetLr(base_lr, this.min_lr, this.min_lr_ratio), progress / max);
  }
}

/** `lr_config = dict(policy='FlatCosineAnnealing', start_percent=0.75, min_lr_ratio=0.01)`. */
export interface FlatCosineAnnealingLrUpdaterHookConfig extends LrUpdaterHookConfig, MinLrConfig {
  /** Fraction of training kept flat before annealing starts, in [0, 1]. Default 0.75. */
  start_percent?: number;
}

/**
 * Flat base LR, then cosine to the target from `round(max * start_percent)` on
 * (mmcv `FlatCosineAnnealingLrUpdaterHook`).
 */
export class FlatCosineAnnealingLrUpdaterHook extends LrUpdaterHook {
  static override readonly type: string = 'FlatCosineAnnealingLrUpdaterHook';
  readonly start_percent: number;
  readonly min_lr: number | null;
  readonly min_lr_ratio: number | null;
  constructor(cfg: FlatCosineAnnealingLrUpdaterHookConfig) {
    checkArgs(cfg, ['start_percent', 'min_lr', 'min_lr_ratio', ...LR_UPDATER_BASE_KEYS], 'FlatCosineAnnealingLrUpdaterHook');
    const { minLr, ratio } = checkMinLr(cfg);
    const sp = cfg.start_percent ?? 0.75;
    // Porting note: mmcv also rejects an int (`start_percent=1`); a JS number has no int/float distinction.
    if (typeof sp !== 'number' || sp < 0 || sp > 1) {
      throw new ValueError('LR_START_PERCENT', `expected float between 0 and 1 start_percent, but got ${pyRepr(sp)}`);
    }
    super(cfg);
    this.start_percent = sp;
    this.min_lr = minLr;
    this.min_lr_ratio = ratio;
  }
  get_lr(runner: RunnerLike, base_lr: number): number {
    const [cur, max] = runProgress(runner, this.by_epoch);
    const start = pyRound(max * this.start_percent);
    const progress = cur - start;
    if (progress < 0) return base_lr;
    return annealingCos(base_lr, targetLr(base_lr, this.min_lr, this.min_lr_ratio), progress / (max - start));
  }
}

/** Python 3 `round(x)`: nearest integer, ties to even. */
export function pyRound(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** `lr_config = dict(policy='CosineRestart', periods=[5, 10], restart_weights=[1, 0.5], min_lr=0)`. */
export interface CosineRestartLrUpdaterHookConfig extends LrUpdaterHookConfig, MinLrConfig {
  /** Length of each cosine cycle (epochs or iterations). */
  periods: number[];
  /** Peak weight of each cycle (same length as `periods`). Default `[1]`. */
  restart_weights?: number[];
}

/**
 * The cycle index containing `iteration` in cumulative periods (mmcv `get_position_from_periods`).
 * @throws ValueError `LR_PERIODS_EXCEEDED` past the last cycle
 */
export function getPositionFromPeriods(iteration: number, cumulativePeriods: readonly number[]): number {
  for (let i = 0; i < cumulativePeriods.length; i++) if (iteration < cumulativePeriods[i]) return i;
  throw new ValueError('LR_PERIODS_EXCEEDED', `Current iteration ${iteration} exceeds cumulative_periods ${pyRepr(cumulativePeriods)}`, {
    hint: 'the sum of lr_config.periods must cover the whole run (max_epochs, or max_iters when by_epoch=False)',
  });
}

/** Cosine annealing with warm restarts (mmcv `CosineRestartLrUpdaterHook`). */
export class CosineRestartLrUpdaterHook extends LrUpdaterHook {
  static override readonly type: string = 'CosineRestartLrUpdaterHook';
  readonly periods: number[];
  readonly restart_weights: number[];
  readonly min_lr: number | null;
  readonly min_lr_ratio: number | null;
  readonly cumulative_periods: number[];
  constructor(cfg: CosineRestartLrUpdaterHookConfig) {
    checkArgs(cfg, ['periods', 'restart_weights', 'min_lr', 'min_lr_ratio', ...LR_UPDATER_BASE_KEYS], 'CosineRestartLrUpdaterHook');
    const { minLr, ratio } = checkMinLr(cfg);
    assertArg(Array.isArray(cfg.periods) && cfg.periods.every((p) => typeof p === 'number'), 'LR_PERIODS', '"periods" must be a list of numbers');
    const weights = cfg.restart_weights ?? [1];
    assertArg(cfg.periods.length === weights.length, 'LR_PERIODS', 'periods and restart_weights should have the same length.');
    super(cfg);
    this.periods = cfg.periods;
    this.restart_weights = weights;
    this.min_lr = minLr;
    this.min_lr_ratio = ratio;
    let sum = 0;
    this.cumulative_periods = this.periods.map((p) => (sum += p));
  }
  get_lr(runner: RunnerLike, base_lr: number): number {
    const progress = this.by_epoch ? runner.epoch : runner.iter;
    const target = targetLr(base_lr, this.min_lr, this.min_lr_ratio);
    const idx = getPositionFromPeriods(progress, this.cumulative_periods);
    const nearestRestart = idx === 0 ? 0 : this.cumulative_periods[idx - 1];
    const alpha = Math.min((progress - nearestRestart) / this.periods[idx], 1);
    return annealingCos(base_lr, target, alpha, this.restart_weights[idx]);
  }
}

/** `lr_config = dict(policy='LinearAnnealing', min_lr_ratio=0.01)`. */
export interface LinearAnnealingLrUpdaterHookConfig extends LrUpdaterHookConfig, MinLrConfig {}

/**
 * Linear from the base LR to the target over the whole run (mmcv `LinearAnnealingLrUpdaterHook`).
 * Porting note: a subclass of the cosine policy here (mmcv derives both from `LrUpdaterHook`); they
 * differ only in the curve.
 */
export class LinearAnnealingLrUpdaterHook extends CosineAnnealingLrUpdaterHook {
  static override readonly type: string = 'LinearAnnealingLrUpdaterHook';
  protected override readonly anneal = annealingLinear;
}
