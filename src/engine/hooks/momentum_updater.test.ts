/**
 * Momentum updater hooks against engine-spec.md §7.4 case 30 and hand computations from mmcv's
 * formulas (warmup divides; Adam's `betas[0]` is the momentum).
 */
import { describe, expect, it } from 'vitest';
import { Adam } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import { runSchedule } from '../optim/simulate_schedule.js';
import type { Optimizer } from '../optim/types.js';
import { CyclicLrUpdaterHook, OneCycleLrUpdaterHook } from './lr_updater_cyclic.js';
import { type MomentumUpdaterHook, CosineAnnealingMomentumUpdaterHook, StepMomentumUpdaterHook } from './momentum_updater.js';
import { CyclicMomentumUpdaterHook, OneCycleMomentumUpdaterHook } from './momentum_updater_cyclic.js';
import { buildMomentumUpdaterHook } from './schedule_index.js';

function iterMomentum(hook: MomentumUpdaterHook, optimizer: Optimizer, maxIters: number): number[] {
  return runSchedule({ hooks: [hook], optimizer, runnerType: 'IterBasedRunner', maxIters, itersPerEpoch: 10 }).momentum;
}

describe('momentum schedules', () => {
  it('30: cyclic momentum, defaults, base 0.95, 1000 iterations', () => {
    const m = iterMomentum(new CyclicMomentumUpdaterHook({}), new SGD({ lr: 0.1, momentum: 0.95 }), 1000);
    expect(m[0]).toBeCloseTo(0.95, 15);
    expect(m[200]).toBeCloseTo(0.9, 15);
    expect(m[400]).toBeCloseTo(0.85, 15);
    expect(m[700]).toBeCloseTo(0.9, 15);
  });
  it('30: linear warmup divides: 0.9 / (1 - (1 - cur/100) * 0.1)', () => {
    const hook = new StepMomentumUpdaterHook({ step: [100000], by_epoch: false, warmup: 'linear', warmup_iters: 100, warmup_ratio: 0.9 });
    const m = iterMomentum(hook, new SGD({ lr: 0.1, momentum: 0.9 }), 200);
    expect(m[0]).toBeCloseTo(1.0, 15);
    expect(m[50]).toBeCloseTo(0.9473684210526315, 15);
    expect(m[100]).toBe(0.9);
  });
  it('constant and exp warmups (by epoch: regular value at warmup end)', () => {
    const opt = (): SGD => new SGD({ lr: 0.1, momentum: 0.9 });
    const c = runSchedule({ hooks: [new StepMomentumUpdaterHook({ step: 2, warmup: 'constant', warmup_iters: 4, warmup_ratio: 0.9 })], optimizer: opt(), runnerType: 'EpochBasedRunner', maxEpochs: 3, itersPerEpoch: 3 }).momentum;
    expect(c.slice(0, 4).map((v) => +v.toFixed(12))).toEqual([1, 1, 1, 1]);
    expect(c[4]).toBe(0.9);
    expect(c[6]).toBeCloseTo(0.45, 15); // epoch 2: 0.9 * 0.5
    const e = runSchedule({ hooks: [new StepMomentumUpdaterHook({ step: 5, warmup: 'exp', warmup_iters: 4, warmup_ratio: 0.81 })], optimizer: opt(), runnerType: 'EpochBasedRunner', maxEpochs: 1, itersPerEpoch: 5 }).momentum;
    expect(e[2]).toBeCloseTo(0.9 / 0.9, 12); // 0.9 / 0.81 ** 0.5
  });
  it('cosine annealing writes betas[0] of Adam and keeps beta2', () => {
    const adam = new Adam({ lr: 1e-3, betas: [0.9, 0.99] });
    const hook = new CosineAnnealingMomentumUpdaterHook({ min_momentum: 0.5, by_epoch: false });
    const m = iterMomentum(hook, adam, 4);
    // annealing_cos(0.9, 0.5, 2/4) = 0.5 + 0.5 * 0.4 * (cos(pi/2) + 1) = 0.7
    expect(m[2]).toBeCloseTo(0.7, 15);
    expect(adam.paramGroups[0].betas?.[1]).toBe(0.99);
    expect(adam.paramGroups[0].initial_momentum).toBe(0.9);
  });
  it('one cycle: starts at max_momentum, reaches base_momentum at the LR peak, returns to max', () => {
    const sgd = new SGD({ lr: 0.1, momentum: 0.9 });
    const run = runSchedule({
      hooks: [new OneCycleLrUpdaterHook({ max_lr: 0.1, pct_start: 0.3 }), new OneCycleMomentumUpdaterHook({ pct_start: 0.3 })],
      optimizer: sgd,
      runnerType: 'IterBasedRunner',
      maxIters: 101,
      itersPerEpoch: 10,
    });
    // phase 1 ends at 0.3 * 101 - 1 = 29.3; iteration 0 → max 0.95, 101 - 1 = 100 → max again
    expect(run.momentum[0]).toBeCloseTo(0.95, 15);
    expect(run.momentum[100]).toBeCloseTo(0.95, 15);
    // iteration 29: annealing_cos(0.95, 0.85, 29 / 29.3)
    expect(run.momentum[29]).toBeCloseTo(0.85 + 0.05 * (Math.cos((Math.PI * 29) / 29.3) + 1), 15);
    expect(sgd.paramGroups[0]).toMatchObject({ base_momentum: 0.85, max_momentum: 0.95 });
    const noMomentum = { type: 'X', paramGroups: [{ params: [], lr: 1, weight_decay: 0 }], defaults: {} } as unknown as Optimizer;
    expect(() => iterMomentum(new OneCycleMomentumUpdaterHook({}), noMomentum, 10)).toThrow('optimizer must support momentum');
  });
  it('cyclic LR + cyclic momentum run together (priority order LR, momentum)', () => {
    const run = runSchedule({
      hooks: [new CyclicLrUpdaterHook({ target_ratio: [10, 1e-4] }), buildMomentumUpdaterHook({ policy: 'cyclic', target_ratio: [0.85 / 0.95, 1] })],
      optimizer: new SGD({ lr: 0.001, momentum: 0.95 }),
      runnerType: 'IterBasedRunner',
      maxIters: 1000,
      itersPerEpoch: 10,
    });
    expect(run.lr[400]).toBeCloseTo(0.01, 15);
    expect(run.momentum[400]).toBeCloseTo(0.85, 15);
  });
});
