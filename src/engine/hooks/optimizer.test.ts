/**
 * OptimizerHook / GradientCumulativeOptimizerHook (engine-spec.md §7.5 cases 31–32) and
 * `clip_grad_norm_` semantics, with gradient ownership and leak checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import { SGD } from '../optim/sgd.js';
import type { Optimizer } from '../optim/types.js';
import type { RunnerLike, StepOutputs } from '../types.js';
import { GradientCumulativeOptimizerHook, OptimizerHook } from './optimizer.js';

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
