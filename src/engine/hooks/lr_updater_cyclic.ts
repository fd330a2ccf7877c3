/**
 * @module Port of the per-iteration cyclic policies of `mmcv/runner/hooks/lr_updater.py` @ v1.7.2:
 * `CyclicLrUpdaterHook` (CLR with cosine/linear phases and a cycle decay `gamma`) and
 * `OneCycleLrUpdaterHook` (1cycle; overrides the base LR with `max_lr / div_factor`).
 * Both need `by_epoch = false` and compute their phases at `before_run` from `runner.max_iters`.
 */
import { DetkitError, ValueError } from '../../utils/errors.js';
import { assertArg, checkArgs, pyRepr, pyTypeName } from '../optim/args.js';
import type { RunnerLike } from '../types.js';
import {
  annealFunc,
  type AnnealFunc,
  formatParam,
  LR_UPDATER_BASE_KEYS,
  LrUpdaterHook,
  type LrUpdaterHookConfig,
  requireOptimizer,
} from './lr_updater.js';

/**
 * Normalises a cyclic `target_ratio` as mmcv does: a number `x` or a 1-element list → `[x, x / 1e5]`.
 * Porting note: Python tuples arrive as JS arrays, so lists are accepted where mmcv wants a tuple.
 * @throws ValueError `CYCLIC_TARGET_RATIO` for other types; AssertionError_ for a length other than 2
 */
export function normalizeTargetRatio(targetRatio: unknown): [number, number] {
  let tr: unknown[];
  if (typeof targetRatio === 'number') tr = [targetRatio, targetRatio / 1e5];
  else if (Array.isArray(targetRatio)) tr = targetRatio.length === 1 ? [targetRatio[0], (targetRatio[0] as number) / 1e5] : targetRatio;
  else throw new ValueError('CYCLIC_TARGET_RATIO', `target_ratio should be either float or tuple, got ${pyTypeName(targetRatio)}`);
  assertArg(tr.length === 2 && tr.every((x) => typeof x === 'number'), 'CYCLIC_TARGET_RATIO', '"target_ratio" must be list or tuple of two floats');
  return [tr[0] as number, tr[1] as number];
}

/** One phase of a cyclic schedule: `[start_iter, end_iter)` going from `start_ratio` to `end_ratio` × base. */
export interface CyclicPhase {
  startIter: number;
  endIter: number;
  startRatio: number;
  endRatio: number;
}

/** mmcv's two cyclic phases (up, then down) for one cycle of `maxIterPerPhase` iterations. */
export function cyclicPhases(maxIterPerPhase: number, stepRatioUp: number, targetRatio: [number, number]): CyclicPhase[] {
  const up = Math.trunc(stepRatioUp * maxIterPerPhase);
  return [
    { startIter: 0, endIter: up, startRatio: 1, endRatio: targetRatio[0] },
    { startIter: up, endIter: maxIterPerPhase, startRatio: targetRatio[0], endRatio: targetRatio[1] },
  ];
}

/**
 * The cyclic value at `iter` for base value `base` (shared with `CyclicMomentumUpdaterHook`).
 * Cycle `c` scales the peak's distance from 1 by `gamma ** c`.
 */
export function cyclicValue(phases: readonly CyclicPhase[], maxIterPerPhase: number, gamma: number, anneal: AnnealFunc, iter: number, base: number): number {
  const cur = iter % maxIterPerPhase;
  const scale = gamma ** Math.floor(iter / maxIterPerPhase);
  for (const p of phases) {
    if (p.startIter <= cur && cur < p.endIter) {
      let { startRatio, endRatio } = p;
      if (p.startIter === 0) endRatio = 1 - scale + endRatio * scale;
      else startRatio = 1 - scale + startRatio * scale;
      return anneal(base * startRatio, base * endRatio, (cur - p.startIter) / (p.endIter - p.startIter));
    }
  }
  throw new DetkitError('CYCLIC_NO_PHASE', `iteration ${iter} falls in no cyclic phase (max_iter_per_phase ${maxIterPerPhase})`);
}

/** `lr_config = dict(policy='cyclic', target_ratio=(10, 1e-4), cyclic_times=1, step_ratio_up=0.4)`. */
export interface CyclicLrUpdaterHookConfig extends LrUpdaterHookConfig {
  /** Peak and final LR as ratios of the base LR; a number `x` means `(x, x/1e5)`. Default `(10, 1e-4)`. */
  target_ratio?: number | number[];
  /** Number of cycles over `max_iters`. Default 1. */
  cyclic_times?: number;
  /** Fraction of a cycle spent rising, in [0, 1). Default 0.4. */
  step_ratio_up?: number;
  /** `'cos'` (default) or `'linear'`. */
  anneal_strategy?: 'cos' | 'linear';
  /** Per-cycle decay of the peak, in (0, 1]. Default 1. */
  gamma?: number;
}

/** Cyclical LR (mmcv `CyclicLrUpdaterHook`); iteration-based only. */
export class CyclicLrUpdaterHook extends LrUpdaterHook {
  static override readonly type: string = 'CyclicLrUpdaterHook';
  readonly target_ratio: [number, number];
  readonly cyclic_times: number;
  readonly step_ratio_up: number;
  readonly gamma: number;
  readonly anneal: AnnealFunc;
  max_iter_per_phase = 0;
  lr_phases: CyclicPhase[] = [];
  constructor(cfg: CyclicLrUpdaterHookConfig = {}) {
    checkArgs(cfg, ['target_ratio', 'cyclic_times', 'step_ratio_up', 'anneal_strategy', 'gamma', ...LR_UPDATER_BASE_KEYS], 'CyclicLrUpdaterHook');
    const tr = normalizeTargetRatio(cfg.target_ratio ?? [10, 1e-4]);
    const up = cfg.step_ratio_up ?? 0.4;
    const gamma = cfg.gamma ?? 1;
    assertArg(up >= 0 && up < 1, 'CYCLIC_STEP_RATIO_UP', '"step_ratio_up" must be in range [0,1)');
    assertArg(gamma > 0 && gamma <= 1, 'CYCLIC_GAMMA', '"gamma" must be in range (0, 1]');
    const anneal = annealFunc(cfg.anneal_strategy ?? 'cos');
    const byEpoch = cfg.by_epoch ?? false;
    assertArg(!byEpoch, 'CYCLIC_BY_EPOCH', 'currently only support "by_epoch" = False');
    super({ ...cfg, by_epoch: byEpoch });
    this.target_ratio = tr;
    this.cyclic_times = cfg.cyclic_times ?? 1;
    this.step_ratio_up = up;
    this.gamma = gamma;
    this.anneal = anneal;
  }
  override before_run(runner: RunnerLike): void {
    super.before_run(runner);
    this.max_iter_per_phase = Math.floor(runner.max_iters / this.cyclic_times);
    assertArg(this.max_iter_per_phase > 0, 'CYCLIC_TOO_SHORT', `max_iters (${runner.max_iters}) must be at least cyclic_times (${this.cyclic_times})`);
    this.lr_phases = cyclicPhases(this.max_iter_per_phase, this.step_ratio_up, this.target_ratio);
  }
  get_lr(runner: RunnerLike, base_lr: number): number {
    return cyclicValue(this.lr_phases, this.max_iter_per_phase, this.gamma, this.anneal, runner.iter, base_lr);
  }
}

/** `lr_config = dict(policy='OneCycle', max_lr=0.01)`. */
export interface OneCycleLrUpdaterHookConfig extends LrUpdaterHookConfig {
  /** Peak LR: one number, or one per param group. */
  max_lr: number | number[];
  /** Cycle length in iterations; default `runner.max_iters` (must be ≥ it). */
  total_steps?: number | null;
  /** Fraction of the cycle spent rising, in [0, 1]. Default 0.3. */
  pct_start?: number;
  /** `'cos'` (default) or `'linear'`. */
  anneal_strategy?: 'cos' | 'linear';
  /** Start LR = `max_lr / div_factor`. Default 25. */
  div_factor?: number;
  /** Final LR = start LR `/ final_div_factor`. Default 1e4. */
  final_div_factor?: number;
  /** Add a third phase annihilating the LR (first two symmetric). Default false. */
  three_phase?: boolean;
}

/** One phase of the 1cycle schedule: up to `endIter` (inclusive), from `startMult` to `endMult` × base. */
export interface OneCyclePhase {
  endIter: number;
  startMult: number;
  endMult: number;
}

/**
 * Progress `(cur - start) / (end - start)` within a 1cycle phase.
 * @throws DetkitError `ONECYCLE_EMPTY_PHASE` for a zero-length phase (Python's ZeroDivisionError,
 *   e.g. `pct_start * total_steps == 1`)
 */
export function oneCyclePct(cur: number, start: number, end: number): number {
  if (end === start) {
    throw new DetkitError('ONECYCLE_EMPTY_PHASE', 'float division by zero', {
      hint: `a 1cycle phase ends at iteration ${end}, where the previous one ended: raise pct_start or the number of iterations`,
    });
  }
  return (cur - start) / (end - start);
}

/** The 1cycle LR policy (mmcv `OneCycleLrUpdaterHook`); iteration-based only. */
export class OneCycleLrUpdaterHook extends LrUpdaterHook {
  static override readonly type: string = 'OneCycleLrUpdaterHook';
  readonly max_lr: number | number[];
  readonly total_steps: number | null;
  readonly pct_start: number;
  readonly anneal: AnnealFunc;
  readonly div_factor: number;
  readonly final_div_factor: number;
  readonly three_phase: boolean;
  lr_phases: OneCyclePhase[] = [];
  constructor(cfg: OneCycleLrUpdaterHookConfig) {
    checkArgs(
      cfg,
      ['max_lr', 'total_steps', 'pct_start', 'anneal_strategy', 'div_factor', 'final_div_factor', 'three_phase', ...LR_UPDATER_BASE_KEYS],
      'OneCycleLrUpdaterHook',
    );
    assertArg(cfg.by_epoch !== true, 'ONECYCLE_BY_EPOCH', 'currently only support "by_epoch" = False');
    const maxLr = cfg.max_lr as unknown;
    if (typeof maxLr !== 'number' && !Array.isArray(maxLr)) {
      throw new ValueError('ONECYCLE_MAX_LR', `the type of max_lr must be the one of list or dict, but got ${pyTypeName(maxLr)}`);
    }
    const total = cfg.total_steps ?? null;
    if (total !== null && !(typeof total === 'number' && Number.isInteger(total))) {
      throw new ValueError('ONECYCLE_TOTAL_STEPS', `the type of total_steps must be int, butgot ${pyTypeName(total)}`);
    }
    const pct = cfg.pct_start ?? 0.3;
    // Porting note: mmcv also rejects an int (`pct_start=1`); a JS number has no int/float distinction.
    if (typeof pct !== 'number' || pct < 0 || pct > 1) {
      throw new ValueError('ONECYCLE_PCT_START', `expected float between 0 and 1 pct_start, but got ${pyRepr(pct)}`);
    }
    const anneal = annealFunc(cfg.anneal_strategy ?? 'cos');
    super({ ...cfg, by_epoch: false });
    this.max_lr = maxLr as number | number[];
    this.total_steps = total;
    this.pct_start = pct;
    this.anneal = anneal;
    this.div_factor = cfg.div_factor ?? 25;
    this.final_div_factor = cfg.final_div_factor ?? 1e4;
    this.three_phase = cfg.three_phase ?? false;
  }
  override before_run(runner: RunnerLike): void {
    const total = this.total_steps ?? runner.max_iters;
    if (total < runner.max_iters) {
      throw new ValueError(
        'ONECYCLE_TOTAL_STEPS',
        `The total steps must be greater than or equal to max iterations ${runner.max_iters} of runner, but total steps is ${total}.`,
      );
    }
    const optim = requireOptimizer(runner, this.typeName);
    const maxLr = formatParam(optim.type, optim, this.max_lr);
    this.base_lr = maxLr.map((lr) => lr / this.div_factor);
    optim.paramGroups.forEach((g, i) => {
      if (i < this.base_lr.length && (!('initial_lr' in g) || g.initial_lr === undefined)) g.initial_lr = this.base_lr[i];
    });
    const p = this.pct_start;
    this.lr_phases = this.three_phase
      ? [
          { endIter: p * total - 1, startMult: 1, endMult: this.div_factor },
          { endIter: 2 * p * total - 2, startMult: this.div_factor, endMult: 1 },
          { endIter: total - 1, startMult: 1, endMult: 1 / this.final_div_factor },
        ]
      : [
          { endIter: p * total - 1, startMult: 1, endMult: this.div_factor },
          { endIter: total - 1, startMult: this.div_factor, endMult: 1 / this.final_div_factor },
        ];
  }
  get_lr(runner: RunnerLike, base_lr: number): number {
    const cur = runner.iter;
    let start = 0;
    for (const ph of this.lr_phases) {
      if (cur <= ph.endIter) {
        const pct = oneCyclePct(cur, start, ph.endIter);
        return this.anneal(base_lr * ph.startMult, base_lr * ph.endMult, pct);
      }
      start = ph.endIter;
    }
    throw new DetkitError('ONECYCLE_PAST_END', `iteration ${cur} is past the last 1cycle phase (total_steps ${this.total_steps ?? runner.max_iters})`);
  }
}
