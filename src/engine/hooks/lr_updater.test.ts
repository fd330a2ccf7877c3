/**
 * LR updater hooks against engine-spec.md §7.4 (cases 18–29, numbers from mmcv 1.7), and the
 * policy → hook name mangling of `register_lr_hook`.
 */
import { describe, expect, it } from 'vitest';
import { SGD } from '../optim/sgd.js';
import { runSchedule } from '../optim/simulate_schedule.js';
import type { RunnerLike } from '../types.js';
import { StepLrUpdaterHook, type LrUpdaterHook, PolyLrUpdaterHook, InvLrUpdaterHook, ExpLrUpdaterHook } from './lr_updater.js';
import { CosineAnnealingLrUpdaterHook, CosineRestartLrUpdaterHook, FlatCosineAnnealingLrUpdaterHook } from './lr_updater_cosine.js';
import { CyclicLrUpdaterHook, OneCycleLrUpdaterHook } from './lr_updater_cyclic.js';
import { buildLrUpdaterHook, policyHookType, pyTitle } from './schedule_index.js';

/** lr of group 0 at every iteration of an EpochBasedRunner run (base lr `lr`). */
function epochCurve(hook: LrUpdaterHook, lr: number, maxEpochs: number, itersPerEpoch: number): number[] {
  return runSchedule({ hooks: [hook], optimizer: new SGD({ lr, momentum: 0.9 }), runnerType: 'EpochBasedRunner', maxEpochs, itersPerEpoch }).lr;
}
function iterCurve(hook: LrUpdaterHook, lr: number, maxIters: number): number[] {
  return runSchedule({ hooks: [hook], optimizer: new SGD({ lr, momentum: 0.9 }), runnerType: 'IterBasedRunner', maxIters, itersPerEpoch: 7 }).lr;
}
/** A runner stand-in exposing the counters `get_lr` reads. */
function at(c: { epoch?: number; iter?: number; max_epochs?: number; max_iters?: number }): RunnerLike {
  return { epoch: 0, iter: 0, max_epochs: 0, max_iters: 0, ...c } as unknown as RunnerLike;
}

describe('warmup (spec 18–20)', () => {
  it('18: step [8, 11] with linear warmup 500 iters, ratio 0.001, 1000 iters/epoch', () => {
    const lr = epochCurve(new StepLrUpdaterHook({ step: [8, 11], warmup: 'linear', warmup_iters: 500, warmup_ratio: 0.001 }), 0.02, 12, 1000);
    expect(lr[0]).toBeCloseTo(2e-5, 12);
    expect(lr[1]).toBeCloseTo(5.996e-5, 12);
    expect(lr[250]).toBeCloseTo(0.01001, 12);
    expect(lr[499]).toBeCloseTo(0.01996004, 12);
    expect(lr[500]).toBe(0.02);
    expect(lr[7000]).toBe(0.02);
    expect(lr[8000]).toBeCloseTo(0.002, 15);
    expect(lr[11000]).toBeCloseTo(0.0002, 15);
  });
  it('19: exp and constant warmup', () => {
    const exp = epochCurve(new StepLrUpdaterHook({ step: [8, 11], warmup: 'exp', warmup_iters: 500, warmup_ratio: 0.001 }), 0.02, 1, 1000);
    expect(exp[0]).toBeCloseTo(2e-5, 12);
    expect(exp[250]).toBeCloseTo(6.32455532e-4, 11);
    const constant = epochCurve(new StepLrUpdaterHook({ step: [8, 11], warmup: 'constant', warmup_iters: 500, warmup_ratio: 0.001 }), 0.02, 1, 1000);
    expect(constant.slice(0, 500).every((v) => Math.abs(v - 2e-5) < 1e-15)).toBe(true);
    expect(constant[500]).toBe(0.02);
  });
  it('20: a warmup spanning epochs follows each epoch’s regular lr', () => {
    const lr = epochCurve(new StepLrUpdaterHook({ step: [1, 2], warmup: 'linear', warmup_iters: 500, warmup_ratio: 0.001 }), 0.02, 3, 300);
    expect(lr[299]).toBeCloseTo(0.01196804, 12);
    expect(lr[300]).toBeCloseTo(0.0012008, 12);
    expect(lr[499]).toBeCloseTo(0.001996004, 12);
    expect(lr[500]).toBeCloseTo(0.002, 15);
    expect(lr[600]).toBeCloseTo(0.0002, 15);
  });
  it('warmup_by_epoch resolves warmup_iters at the first epoch; IterBasedRunner cannot use it', () => {
    const lr = epochCurve(new StepLrUpdaterHook({ step: [5], warmup: 'linear', warmup_iters: 2, warmup_by_epoch: true, warmup_ratio: 0.5 }), 0.02, 3, 10);
    expect(lr[0]).toBeCloseTo(0.01, 12);
    expect(lr[10]).toBeCloseTo(0.015, 12); // cur/W = 10/20
    expect(lr[20]).toBe(0.02);
    const hook = new StepLrUpdaterHook({ step: [5], by_epoch: false, warmup: 'linear', warmup_iters: 2, warmup_by_epoch: true });
    expect(() => iterCurve(hook, 0.02, 5)).toThrow(expect.objectContaining({ code: 'WARMUP_ITERS_UNRESOLVED' }));
  });
  it('21: validation', () => {
    expect(() => new StepLrUpdaterHook({ step: 1, warmup: 'cosine' as never, warmup_iters: 1 })).toThrow(
      '"cosine" is not a supported type for warming up, valid types are "constant", "linear" and "exp"',
    );
    expect(() => new StepLrUpdaterHook({ step: 1, warmup: 'linear', warmup_iters: 0 })).toThrow(expect.objectContaining({ pythonType: 'AssertionError' }));
    expect(() => new StepLrUpdaterHook({ step: 1, warmup: 'linear', warmup_iters: 5, warmup_ratio: 0 })).toThrow('"warmup_ratio" must be in range (0,1]');
    expect(() => new CosineAnnealingLrUpdaterHook({ min_lr: 0, min_lr_ratio: 0.1 })).toThrow(expect.objectContaining({ pythonType: 'AssertionError' }));
    expect(() => new CosineAnnealingLrUpdaterHook({})).toThrow(expect.objectContaining({ code: 'LR_MIN_LR_XOR' }));
    expect(() => new StepLrUpdaterHook({ step: 'x' as never })).toThrow('"step" must be a list or integer');
    expect(() => new StepLrUpdaterHook({ step: [0, 3] })).toThrow(expect.objectContaining({ pythonType: 'AssertionError' }));
    expect(() => new StepLrUpdaterHook({ step: 3, gama: 0.1 } as never)).toThrow("unexpected keyword argument 'gama'");
  });
});

describe('policies (spec 22–28)', () => {
  it('22: poly by iteration', () => {
    const h = new PolyLrUpdaterHook({ power: 0.9, min_lr: 1e-4, by_epoch: false });
    expect(h.get_lr(at({ iter: 0, max_iters: 80000 }), 0.01)).toBe(0.01);
    expect(h.get_lr(at({ iter: 40000, max_iters: 80000 }), 0.01)).toBeCloseTo(0.005405278639554652, 15);
  });
  it('23: cosine annealing by epoch', () => {
    const h = new CosineAnnealingLrUpdaterHook({ min_lr_ratio: 1e-3 });
    expect(h.get_lr(at({ epoch: 0, max_epochs: 12 }), 0.02)).toBe(0.02);
    expect(h.get_lr(at({ epoch: 6, max_epochs: 12 }), 0.02)).toBeCloseTo(0.01001, 15);
    expect(h.get_lr(at({ epoch: 11, max_epochs: 12 }), 0.02)).toBeCloseTo(3.604009953722087e-4, 15);
  });
  it('24: inv, exp, step with an int step and min_lr', () => {
    expect(new InvLrUpdaterHook({ gamma: 1e-4, power: 0.75, by_epoch: false }).get_lr(at({ iter: 1000 }), 0.01)).toBeCloseTo(0.009310124446, 12);
    expect(new ExpLrUpdaterHook({ gamma: 0.9 }).get_lr(at({ epoch: 3 }), 0.02)).toBeCloseTo(0.01458, 15);
    const step = new StepLrUpdaterHook({ step: 3, gamma: 0.5, min_lr: 0.03 });
    expect([2, 3, 6].map((epoch) => step.get_lr(at({ epoch }), 0.1))).toEqual([0.1, 0.05, 0.03]);
  });
  it('25: flat cosine', () => {
    const h = new FlatCosineAnnealingLrUpdaterHook({ start_percent: 0.75, min_lr: 0 });
    const lr = [8, 9, 10, 11].map((epoch) => h.get_lr(at({ epoch, max_epochs: 12 }), 0.02));
    expect(lr[0]).toBe(0.02);
    expect(lr[1]).toBe(0.02);
    expect(lr[2]).toBeCloseTo(0.015, 15);
    expect(lr[3]).toBeCloseTo(0.005, 15);
    expect(() => new FlatCosineAnnealingLrUpdaterHook({ start_percent: 1.5, min_lr: 0 })).toThrow('expected float between 0 and 1 start_percent, but got 1.5');
  });
  it('26: cosine restart', () => {
    const h = new CosineRestartLrUpdaterHook({ periods: [5, 10], restart_weights: [1, 0.5], min_lr: 0 });
    const lr = (epoch: number): number => h.get_lr(at({ epoch }), 0.1);
    expect(lr(0)).toBe(0.1);
    expect(lr(2)).toBeCloseTo(0.06545084971874737, 15);
    expect(lr(5)).toBeCloseTo(0.05, 15);
    expect(lr(10)).toBeCloseTo(0.025, 15);
    expect(lr(14)).toBeCloseTo(0.0012235870926211618, 15);
    expect(() => lr(15)).toThrow('Current iteration 15 exceeds cumulative_periods [5, 15]');
  });
  it('27: cyclic, defaults, 1000 iterations', () => {
    const lr = iterCurve(new CyclicLrUpdaterHook({}), 0.001, 1000);
    expect(lr[0]).toBeCloseTo(0.001, 15);
    expect(lr[200]).toBeCloseTo(0.0055, 15);
    expect(lr[400]).toBeCloseTo(0.01, 15);
    expect(lr[700]).toBeCloseTo(0.00500005, 15);
    expect(lr[999]).toBeCloseTo(1.6853807747864838e-7, 18);
    expect(() => new CyclicLrUpdaterHook({ by_epoch: true })).toThrow('currently only support "by_epoch" = False');
  });
  it('28: one cycle, defaults', () => {
    const lr = iterCurve(new OneCycleLrUpdaterHook({ max_lr: 0.01 }), 0.02, 1000);
    expect(lr[0]).toBeCloseTo(4e-4, 15);
    expect(lr[150]).toBeCloseTo(0.005225216681225468, 15);
    expect(lr[299]).toBeCloseTo(0.01, 15);
    expect(lr[649]).toBeCloseTo(0.00500002, 15);
    expect(lr[999]).toBeCloseTo(4e-8, 18);
    expect(() => iterCurve(new OneCycleLrUpdaterHook({ max_lr: 0.01, total_steps: 900 }), 0.02, 1000)).toThrow(
      'The total steps must be greater than or equal to max iterations 1000 of runner, but total steps is 900.',
    );
    expect(() => new OneCycleLrUpdaterHook({ max_lr: 0.01, pct_start: 2 })).toThrow('expected float between 0 and 1 pct_start');
    // pct_start * total_steps == 1: the first phase ends at iteration 0 (Python: ZeroDivisionError)
    expect(() => iterCurve(new OneCycleLrUpdaterHook({ max_lr: 0.01, pct_start: 0.25 }), 0.02, 4)).toThrow(expect.objectContaining({ code: 'ONECYCLE_EMPTY_PHASE' }));
  });
  it('29: before_run keeps an initial_lr restored from a checkpoint', () => {
    const optimizer = new SGD({ lr: 0.08 });
    optimizer.paramGroups[0].initial_lr = 0.02;
    const h = new StepLrUpdaterHook({ step: [8] });
    h.before_run({ optimizer } as unknown as RunnerLike);
    expect(h.base_lr).toEqual([0.02]);
  });
});

describe('policy name mangling (register_lr_hook)', () => {
  it('title-cases all-lower-case policies only', () => {
    expect(policyHookType('step', 'LrUpdaterHook')).toBe('StepLrUpdaterHook');
    expect(policyHookType('cosineannealing', 'LrUpdaterHook')).toBe('CosineannealingLrUpdaterHook');
    expect(policyHookType('CosineAnnealing', 'LrUpdaterHook')).toBe('CosineAnnealingLrUpdaterHook');
    expect(pyTitle('one_cycle 2x')).toBe('One_Cycle 2X');
  });
  it('builds hooks from lr_config without mutating it, and names the policy on a miss', () => {
    const cfg = { policy: 'step', step: [8, 11] };
    expect(buildLrUpdaterHook(cfg)).toBeInstanceOf(StepLrUpdaterHook);
    expect(cfg.policy).toBe('step');
    expect(buildLrUpdaterHook({ policy: 'OneCycle', max_lr: 0.1 })).toBeInstanceOf(OneCycleLrUpdaterHook);
    expect(() => buildLrUpdaterHook({ policy: 'cosineannealing', min_lr: 0 })).toThrow(
      expect.objectContaining({ code: 'REGISTRY_TYPE_NOT_FOUND', configPath: 'lr_config.policy' }),
    );
    expect(() => buildLrUpdaterHook({ policy: 'step' })).toThrow(expect.objectContaining({ code: 'STEP_TYPE', configPath: 'lr_config' }));
  });
});
