/**
 * @module Port of the cyclic policies of `mmcv/runner/hooks/momentum_updater.py` @ v1.7.2:
 * `CyclicMomentumUpdaterHook` (mirrors the cyclic LR phases; usually paired with it) and
 * `OneCycleMomentumUpdaterHook` (inverse of the 1cycle LR: max → base → max).
 */
import { ValueError } from '../../utils/errors.js';
import { assertArg, checkArgs, pyRepr } from '../optim/args.js';
import type { ParamGroup } from '../optim/types.js';
import type { RunnerLike } from '../types.js';
import { annealFunc, type AnnealFunc, formatParam, requireOptimizer } from './lr_updater.js';
import { type CyclicPhase, cyclicPhases, cyclicValue, normalizeTargetRatio, oneCyclePct } from './lr_updater_cyclic.js';
import { MOMENTUM_UPDATER_BASE_KEYS, MomentumUpdaterHook, type MomentumUpdaterHookConfig } from './momentum_updater.js';

/** `momentum_config = dict(policy='cyclic', target_ratio=(0.85 / 0.95, 1), cyclic_times=1, step_ratio_up=0.4)`. */
export interface CyclicMomentumUpdaterHookConfig extends MomentumUpdaterHookConfig {
  /** Lowest and final momentum as ratios of the base; default `(0.85/0.95, 1)`. */
  target_ratio?: number | number[];
  /** Cycles over `max_iters`. Default 1. */
  cyclic_times?: number;
  /** Fraction of a cycle spent in the first phase, in [0, 1). Default 0.4. */
  step_ratio_up?: number;
  /** `'cos'` (default) or `'linear'`. */
  anneal_strategy?: 'cos' | 'linear';
  /** Per-cycle decay of the swing. Default 1. */
  gamma?: number;
}

/** Cyclical momentum (mmcv `CyclicMomentumUpdaterHook`); iteration-based only. */
export class CyclicMomentumUpdaterHook extends MomentumUpdaterHook {
  static override readonly type: string = 'CyclicMomentumUpdaterHook';
  readonly target_ratio: [number, number];
  readonly cyclic_times: number;
  readonly step_ratio_up: number;
  readonly gamma: number;
  readonly anneal: AnnealFunc;
  max_iter_per_phase = 0;
  momentum_phases: CyclicPhase[] = [];
  constructor(cfg: CyclicMomentumUpdaterHookConfig = {}) {
    checkArgs(cfg, ['target_ratio', 'cyclic_times', 'step_ratio_up', 'anneal_strategy', 'gamma', ...MOMENTUM_UPDATER_BASE_KEYS], 'CyclicMomentumUpdaterHook');
    const tr = normalizeTargetRatio(cfg.target_ratio ?? [0.85 / 0.95, 1]);
    const up = cfg.step_ratio_up ?? 0.4;
    assertArg(up >= 0 && up < 1, 'CYCLIC_STEP_RATIO_UP', '"step_ratio_up" must be in range [0,1)');
    const anneal = annealFunc(cfg.anneal_strategy ?? 'cos');
    const byEpoch = cfg.by_epoch ?? false;
    assertArg(!byEpoch, 'CYCLIC_BY_EPOCH', 'currently only support "by_epoch" = False');
    super({ ...cfg, by_epoch: byEpoch });
    this.target_ratio = tr;
    this.cyclic_times = cfg.cyclic_times ?? 1;
    this.step_ratio_up = up;
    this.gamma = cfg.gamma ?? 1;
    this.anneal = anneal;
  }
  override before_run(runner: RunnerLike): void {
    super.before_run(runner);
    this.max_iter_per_phase = Math.floor(runner.max_iters / this.cyclic_times);
    assertArg(this.max_iter_per_phase > 0, 'CYCLIC_TOO_SHORT', `max_iters (${runner.max_iters}) must be at least cyclic_times (${this.cyclic_times})`);
    this.momentum_phases = cyclicPhases(this.max_iter_per_phase, this.step_ratio_up, this.target_ratio);
  }
  get_momentum(runner: RunnerLike, base: number): number {
    return cyclicValue(this.momentum_phases, this.max_iter_per_phase, this.gamma, this.anneal, runner.iter, base);
  }
}

/** `momentum_config = dict(policy='OneCycle', base_momentum=0.85, max_momentum=0.95)`. */
export interface OneCycleMomentumUpdaterHookConfig extends MomentumUpdaterHookConfig {
  /** Momentum at the LR peak (one number or one per group). Default 0.85. */
  base_momentum?: number | number[];
  /** Momentum at the start and end (one number or one per group). Default 0.95. */
  max_momentum?: number | number[];
  /** Fraction of the cycle in the first phase, in [0, 1]. Default 0.3. */
  pct_start?: number;
  /** `'cos'` (default) or `'linear'`. */
  anneal_strategy?: 'cos' | 'linear';
  /** Three phases (max→base→max→max) instead of two. Default false. */
  three_phase?: boolean;
}

/** One 1cycle momentum phase: up to `endIter` (inclusive), between two group keys. */
interface MomentumPhase {
  endIter: number;
  start: 'max_momentum' | 'base_momentum';
  end: 'max_momentum' | 'base_momentum';
}

/**
 * 1cycle momentum (mmcv `OneCycleMomentumUpdaterHook`). `before_run` stores `base_momentum` and
 * `max_momentum` on each param group and sets the momentum to `max_momentum` right away.
 */
export class OneCycleMomentumUpdaterHook extends MomentumUpdaterHook {
  static override readonly type: string = 'OneCycleMomentumUpdaterHook';
  readonly base_momentum_cfg: number | number[];
  readonly max_momentum_cfg: number | number[];
  readonly pct_start: number;
  readonly anneal: AnnealFunc;
  readonly three_phase: boolean;
  momentum_phases: MomentumPhase[] = [];
  constructor(cfg: OneCycleMomentumUpdaterHookConfig = {}) {
    checkArgs(cfg, ['base_momentum', 'max_momentum', 'pct_start', 'anneal_strategy', 'three_phase', ...MOMENTUM_UPDATER_BASE_KEYS], 'OneCycleMomentumUpdaterHook');
    assertArg(cfg.by_epoch !== true, 'ONECYCLE_BY_EPOCH', 'currently only support "by_epoch" = False');
    const base = cfg.base_momentum ?? 0.85;
    const max = cfg.max_momentum ?? 0.95;
    if (typeof base !== 'number' && !Array.isArray(base)) throw new ValueError('ONECYCLE_MOMENTUM', 'base_momentum must be the type among of float,list or dict.');
    if (typeof max !== 'number' && !Array.isArray(max)) throw new ValueError('ONECYCLE_MOMENTUM', 'max_momentum must be the type among of float,list or dict.');
    const pct = cfg.pct_start ?? 0.3;
    if (typeof pct !== 'number' || pct < 0 || pct > 1) {
      throw new ValueError('ONECYCLE_PCT_START', `Expected float between 0 and 1 pct_start, but got ${pyRepr(pct)}`);
    }
    const anneal = annealFunc(cfg.anneal_strategy ?? 'cos');
    super({ ...cfg, by_epoch: false });
    this.base_momentum_cfg = base;
    this.max_momentum_cfg = max;
    this.pct_start = pct;
    this.anneal = anneal;
    this.three_phase = cfg.three_phase ?? false;
  }
  override before_run(runner: RunnerLike): void {
    const optim = requireOptimizer(runner, this.typeName);
    const defaults = optim.defaults ?? optim.paramGroups[0] ?? {};
    if (!('momentum' in defaults) && !('betas' in defaults)) {
      throw new ValueError('ONECYCLE_MOMENTUM', 'optimizer must support momentum withoption enabled');
    }
    const useBeta1 = 'betas' in defaults;
    const bases = formatParam(optim.type, optim, this.base_momentum_cfg);
    const maxes = formatParam(optim.type, optim, this.max_momentum_cfg);
    optim.paramGroups.forEach((g, i) => {
      if (useBeta1) g.betas = [maxes[i], (g.betas as [number, number])[1]];
      else g.momentum = maxes[i];
      g.base_momentum = bases[i];
      g.max_momentum = maxes[i];
    });
    // Porting note: mmcv leaves `base_momentum` empty here and maps over the groups; filling it keeps
    // the base class's zip over groups.
    this.base_momentum = bases.slice();
    const p = this.pct_start;
    const T = runner.max_iters;
    this.momentum_phases = this.three_phase
      ? [
          { endIter: p * T - 1, start: 'max_momentum', end: 'base_momentum' },
          { endIter: 2 * p * T - 2, start: 'base_momentum', end: 'max_momentum' },
          { endIter: T - 1, start: 'max_momentum', end: 'max_momentum' },
        ]
      : [
          { endIter: p * T - 1, start: 'max_momentum', end: 'base_momentum' },
          { endIter: T - 1, start: 'base_momentum', end: 'max_momentum' },
        ];
  }
  /** The 1cycle momentum of `group` at the current iteration (between its `max_momentum` and `base_momentum`). */
  get_momentum(runner: RunnerLike, _base: number, group: ParamGroup): number {
    const cur = runner.iter;
    let start = 0;
    const last = this.momentum_phases.length - 1;
    for (let i = 0; i < last; i++) {
      const ph = this.momentum_phases[i];
      if (cur <= ph.endIter) return this.anneal(group[ph.start] as number, group[ph.end] as number, oneCyclePct(cur, start, ph.endIter));
      start = ph.endIter;
    }
    // mmcv: the last phase also takes any iteration past its end.
    const ph = this.momentum_phases[last];
    return this.anneal(group[ph.start] as number, group[ph.end] as number, oneCyclePct(cur, start, ph.endIter));
  }
}
