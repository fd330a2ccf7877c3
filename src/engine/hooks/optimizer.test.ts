/**
 * OptimizerHook / GradientCumulativeOptimizerHook (engine-spec.md §7.5 cases 31–32) and
 * `clip_grad_norm_` semantics, with gradient ownership and leak checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import { SGD } from '../optim/sgd.js';
import type { Optimizer } from '../optim/types.js';
import type { RunnerLike, StepOutputs } from '../types.js';
import { Registry } from '../../registry/registry.js';
import { tempDir } from '../../testing/engine_helpers.js';
import { ToyLoader, ToyModel } from '../../testing/toy.js';
import { MemoryLogger } from '../logging/logger.js';
import { buildOptimizer } from '../optim/default_constructor.js';
import { simulateSchedule } from '../optim/simulate_schedule.js';
import { EpochBasedRunner } from '../runner/epoch_based_runner.js';
import { Hook } from './hook.js';
import { GradientCumulativeOptimizerHook, OptimizerHook } from './optimizer.js';
import { registerScheduleHooks } from './schedule_index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

interface FakeRunner {
  iter: number;
  max_iters: number;
  outputs: StepOutputs | null;
  optimizer: Optimizer;
  model: { namedParameters(): Map<string, tf.Variable> };
  log_buffer: { update(vars: Record<string, number>, count?: number): void };
  logger: { info(m: string): void; warn(m: string): void; error(m: string): void };
  updates: Array<[Record<string, number>, number | undefined]>;
  warnings: string[];
  errors: string[];
}

function fakeRunner(params: Map<string, tf.Variable>, optimizer: Optimizer, maxIters = 10): FakeRunner {
  const r: FakeRunner = {
    iter: 0,
    max_iters: maxIters,
    outputs: null,
    optimizer,
    model: { namedParameters: () => params },
    updates: [],
    warnings: [],
    errors: [],
    log_buffer: { update: (vars, count) => r.updates.push([vars, count]) },
    logger: { info: () => undefined, warn: (m) => r.warnings.push(m), error: (m) => r.errors.push(m) },
  };
  return r;
}

function outputs(grads: Map<string, tf.Tensor>, numSamples = 2): StepOutputs {
  return { loss: 1, log_vars: { loss: 1 }, num_samples: numSamples, grads };
}

describe('OptimizerHook', () => {
  it('32: clips by total L2 norm, logs grad_norm weighted by num_samples, steps, disposes the grads', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const params = new Map([['w', w]]);
    const runner = fakeRunner(params, new SGD({ lr: 1, params }));
    const g = tf.tensor1d([3, 4]);
    runner.outputs = outputs(new Map([['w', g]]), 4);
    new OptimizerHook({ grad_clip: { max_norm: 1, norm_type: 2 } }).after_train_iter(runner as unknown as RunnerLike);
    expect(runner.updates).toHaveLength(1);
    expect(runner.updates[0][0].grad_norm).toBeCloseTo(5, 5);
    expect(runner.updates[0][1]).toBe(4);
    // clip coef = 1 / (5 + 1e-6): w = [1, 2] - [0.6, 0.8]
    const v = w.dataSync();
    expect(v[0]).toBeCloseTo(0.4, 5);
    expect(v[1]).toBeCloseTo(1.2, 5);
    expect(g.isDisposed).toBe(true);
    expect(runner.outputs.grads).toBeUndefined();
    w.dispose();
  });
  it('32: without grad_clip there is no grad_norm; the max norm (inf) and p-norms', () => {
    const w = tf.variable(tf.tensor1d([0, 0]));
    const params = new Map([['w', w]]);
    const runner = fakeRunner(params, new SGD({ lr: 1, params }));
    runner.outputs = outputs(new Map([['w', tf.tensor1d([3, -4])]]));
    new OptimizerHook().after_train_iter(runner as unknown as RunnerLike);
    expect(runner.updates).toHaveLength(0);
    expect(Array.from(w.dataSync())).toEqual([-3, 4]);
    runner.outputs = outputs(new Map([['w', tf.tensor1d([3, -4])]]));
    new OptimizerHook({ grad_clip: { max_norm: 100, norm_type: 'inf' } }).after_train_iter(runner as unknown as RunnerLike);
    expect(runner.updates[0][0].grad_norm).toBeCloseTo(4, 6);
    runner.outputs = outputs(new Map([['w', tf.tensor1d([3, -4])]]));
    new OptimizerHook({ grad_clip: { max_norm: 100, norm_type: 1 } }).after_train_iter(runner as unknown as RunnerLike);
    expect(runner.updates[1][0].grad_norm).toBeCloseTo(7, 6);
    runner.outputs = outputs(new Map([['w', tf.tensor1d([3, -4])]]));
    new OptimizerHook({ grad_clip: { max_norm: 100, norm_type: 3 } }).after_train_iter(runner as unknown as RunnerLike);
    expect(runner.updates[2][0].grad_norm).toBeCloseTo(Math.cbrt(27 + 64), 5);
    w.dispose();
  });
  it('reports parameters without gradients when detect_anomalous_params, and fails clearly without grads', () => {
    const a = tf.variable(tf.zeros([2, 3]));
    const b = tf.variable(tf.zeros([1]));
    const params = new Map([['a', a], ['b', b]]);
    const runner = fakeRunner(params, new SGD({ lr: 1, params }));
    runner.outputs = outputs(new Map([['b', tf.ones([1])]]));
    new OptimizerHook({ detect_anomalous_params: true }).after_train_iter(runner as unknown as RunnerLike);
    expect(runner.errors).toEqual(['a with shape torch.Size([2, 3]) is not in the computational graph \n']);
    runner.outputs = { loss: 1, log_vars: {}, num_samples: 1 };
    expect(() => new OptimizerHook().after_train_iter(runner as unknown as RunnerLike)).toThrow(expect.objectContaining({ code: 'OPTIMIZER_NO_GRADS' }));
    expect(() => new OptimizerHook({ grad_clip: { max_norm: 1, norm_type: -1 } })).toThrow(expect.objectContaining({ code: 'GRAD_CLIP_NORM_TYPE' }));
    a.dispose();
    b.dispose();
  });
});

describe('GradientCumulativeOptimizerHook', () => {
  it('31: cumulative_iters 4, max_iters 10: divisor 4 then 2, steps after iterations 3, 7, 9; no leaks', () => {
    const w = tf.variable(tf.scalar(0));
    const params = new Map([['w', w]]);
    const sgd = new SGD({ lr: 1, params });
    const steps: Array<[number, number]> = [];
    const optimizer: Optimizer = Object.assign(Object.create(sgd) as SGD, {
      step(grads: Map<string, tf.Tensor>) {
        steps.push([runner.iter, (grads.get('w') as tf.Tensor).dataSync()[0]]);
        sgd.step(grads);
      },
    });
    const runner = fakeRunner(params, optimizer, 10);
    const hook = new GradientCumulativeOptimizerHook({ cumulative_iters: 4 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) {
      runner.iter = i;
      runner.outputs = outputs(new Map([['w', tf.scalar(i + 1)]]));
      hook.after_train_iter(runner as unknown as RunnerLike);
    }
    // sums of grad/4 over iters 0–3 (1..4) and 4–7 (5..8), of grad/2 over iters 8–9 (9, 10)
    expect(steps.map(([it]) => it)).toEqual([3, 7, 9]);
    expect(steps[0][1]).toBeCloseTo(10 / 4, 6);
    expect(steps[1][1]).toBeCloseTo(26 / 4, 6);
    expect(steps[2][1]).toBeCloseTo(19 / 2, 6);
    expect(hook.remainder_iters).toBe(2);
    expect(runner.warnings.filter((m) => m.startsWith('Loss will be divided by 2'))).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
  it('validates cumulative_iters', () => {
    expect(() => new GradientCumulativeOptimizerHook({ cumulative_iters: 0 })).toThrow('cumulative_iters only accepts positive int');
    expect(() => new GradientCumulativeOptimizerHook({ cumulative_iters: 2.5 })).toThrow(expect.objectContaining({ pythonType: 'AssertionError' }));
  });
});

describe('with a real EpochBasedRunner (registerTrainingHooks)', () => {
  it('schedules match simulateSchedule, the optimizer steps, and tensors do not grow across epochs', async () => {
    const hooks = new Registry('hook');
    registerScheduleHooks(hooks);
    const model = new ToyModel(1);
    const optimizerCfg = { type: 'SGD', lr: 0.05, momentum: 0.9, weight_decay: 1e-4, paramwise_cfg: { bias_lr_mult: 2 } };
    const optimizer = buildOptimizer(model, optimizerCfg);
    const runner = new EpochBasedRunner({ model, optimizer, work_dir: tempDir(), logger: new MemoryLogger(), max_epochs: 3, hook_registry: hooks });
    const lrCfg = { policy: 'step', step: [2], warmup: 'linear', warmup_iters: 4, warmup_ratio: 0.1 };
    const momentumCfg = { policy: 'CosineAnnealing', min_momentum_ratio: 0.5, by_epoch: false };
    runner.registerTrainingHooks({
      lr_config: { ...lrCfg },
      momentum_config: { ...momentumCfg },
      optimizer_config: { grad_clip: { max_norm: 1 } },
      checkpoint_config: null,
      log_config: null,
      timer_config: null,
    });
    const lrs: number[] = [];
    const moms: number[] = [];
    const tensors: number[] = [];
    class Reader extends Hook {
      override before_train_iter(r: RunnerLike): void {
        lrs.push(r.current_lr()[0]);
        moms.push(r.current_momentum()[0]);
      }
      override after_train_epoch(): void {
        tensors.push(tf.memory().numTensors);
      }
    }
    runner.registerHook(new Reader(), 'LOWEST');
    const before = model.snapshot();
    await runner.run([new ToyLoader({ length: 3, batchSize: 4 })], [['train', 1]]);
    const sim = simulateSchedule({ optimizer: optimizerCfg, lr_config: lrCfg, momentum_config: momentumCfg, runner: { type: 'EpochBasedRunner', max_epochs: 3 }, data: { samples_per_gpu: 4 } }, 12);
    expect(lrs).toEqual(sim.lr);
    expect(moms).toEqual(sim.momentum);
    expect(lrs[0]).toBeCloseTo(0.005, 15); // warmup start: 0.1 * 0.05
    expect(lrs[8]).toBeCloseTo(0.005, 15); // epoch 2: 0.05 * 0.1
    expect(model.snapshot()['fc.weight']).not.toEqual(before['fc.weight']);
    expect(optimizer.paramGroups.find((g) => g.params[0] === 'fc.bias')?.lr).toBeCloseTo(2 * lrs[8], 15);
    expect(tensors[2]).toBe(tensors[1]);
    optimizer.dispose();
    model.dispose();
  });
});
