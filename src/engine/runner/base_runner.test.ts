import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import '../index.js';
import { Hook } from '../hooks/hook.js';
import { MemoryLogger } from '../logging/logger.js';
import type { RunnerLike, StepOutputs } from '../types.js';
import { EpochBasedRunner } from './epoch_based_runner.js';
import { IterBasedRunner } from './iter_based_runner.js';
import { ToyLoader, ToyModel, ToySGD } from '../../testing/toy.js';
import { RecorderHook, StandInStepLrHook, standInHooks, tempDir } from '../../testing/engine_helpers.js';

beforeAll(async () => {
  await initBackend('cpu');
});

class Named extends Hook {
  constructor(readonly name: string) {
    super();
  }
  override after_iter(_r: RunnerLike): void {}
}

function epochRunner(extra: Partial<ConstructorParameters<typeof EpochBasedRunner>[0]> = {}): { runner: EpochBasedRunner; model: ToyModel; logger: MemoryLogger } {
  const model = new ToyModel();
  const logger = new MemoryLogger();
  const runner = new EpochBasedRunner({ model, work_dir: tempDir(), logger, max_epochs: 2, ...extra });
  return { runner, model, logger };
}

describe('registerHook (engine-spec §7.1)', () => {
  it('orders by priority, stable among equals (case 2)', () => {
    const { runner, model } = epochRunner();
    const [A, B, C, D, E, F] = ['A', 'B', 'C', 'D', 'E', 'F'].map((n) => new Named(n)) as [Named, Named, Named, Named, Named, Named];
    runner.registerHook(A, 'NORMAL');
    runner.registerHook(B, 'HIGH');
    runner.registerHook(C, 'NORMAL');
    runner.registerHook(D, 50);
    runner.registerHook(E, 'LOWEST');
    runner.registerHook(F, 0);
    expect(runner.hooks.map((h) => (h as Named).name)).toEqual(['F', 'B', 'A', 'C', 'D', 'E']);
    expect(() => runner.registerHook(A)).toThrow('"priority" is a reserved attribute for hooks');
    model.dispose();
  });

  it('mangles the lr policy and mutates the caller dict (case 4)', () => {
    const { runner, model } = epochRunner({ hook_registry: standInHooks() });
    const lr_config: Record<string, unknown> = { policy: 'step', step: [8, 11] };
    runner.registerTrainingHooks({ lr_config, timer_config: null });
    expect(runner.hooks[0]).toBeInstanceOf(StandInStepLrHook);
    expect(runner.hooks[0]!.priority).toBe(10);
    expect('policy' in lr_config).toBe(false);
    const r2 = epochRunner().runner;
    expect(() => r2.registerTrainingHooks({ lr_config: { policy: 'cosineannealing' }, timer_config: null })).toThrow(/CosineannealingLrUpdaterHook is not in the mmcv::hook registry/);
    model.dispose();
  });

  it('prints the hook table as mmcv get_hook_info (case 5)', () => {
    const { runner, model } = epochRunner({ hook_registry: standInHooks() });
    runner.registerTrainingHooks({ lr_config: { policy: 'step', step: [1] }, timer_config: null });
    runner.registerHook(new Named('x'), 49);
    const info = runner.getHookInfo();
    expect(info.split('\n').slice(0, 3)).toEqual(['before_run:', `(VERY_HIGH   ) ${'StepLrUpdaterHook'.padEnd(35)}`, ' -------------------- ']);
    expect(info).toContain(`after_train_iter:\n(49          ) ${'Hook'.padEnd(35)}\n -------------------- \nafter_val_iter:`);
    model.dispose();
  });

  it('custom_hooks take priority names or numbers; IterBasedRunner forces by_epoch=false', () => {
    const model = new ToyModel();
    const runner = new IterBasedRunner({ model, work_dir: tempDir(), logger: new MemoryLogger(), max_iters: 4, hook_registry: standInHooks() });
    const ckpt: Record<string, unknown> = { interval: 2 };
    const log_config = { interval: 2, hooks: [{ type: 'TextLoggerHook' } as Record<string, unknown>] };
    runner.registerTrainingHooks({ checkpoint_config: ckpt, log_config, custom_hooks_config: [{ type: 'RecorderHook', priority: 'very_high' }, { type: 'RecorderHook', priority: 95 }] });
    expect(ckpt.by_epoch).toBe(false);
    expect(log_config.hooks[0]!.by_epoch).toBe(false);
    expect(runner.hooks.map((h) => `${h.typeName}:${h.priority}`)).toEqual(['RecorderHook:10', 'CheckpointHook:50', 'IterTimerHook:70', 'TextLoggerHook:90', 'RecorderHook:95']);
    model.dispose();
  });
});

describe('runner loop (engine-spec §7.2)', () => {
  it('validates arguments (case 8)', async () => {
    const model = new ToyModel();
    expect(() => new EpochBasedRunner({ model, max_epochs: 1, max_iters: 1, logger: new MemoryLogger() })).toThrow('Only one of `max_epochs` or `max_iters` can be set.');
    const r = new EpochBasedRunner({ model, logger: new MemoryLogger() });
    await expect(r.run([new ToyLoader({ length: 1 })], [['train', 1]])).rejects.toThrow('max_epochs must be specified during instantiation');
    const r2 = new EpochBasedRunner({ model, logger: new MemoryLogger(), max_epochs: 1 });
    await expect(r2.run([new ToyLoader({ length: 1 })], [['train', 1], ['val', 1]])).rejects.toMatchObject({ code: 'RUNNER_WORKFLOW_LENGTH' });
    await expect(r2.run([new ToyLoader({ length: 1 })], [['test', 1]])).rejects.toThrow('runner has no method named "test" to run an epoch');
    model.dispose();
  });

  it('rejects non-dict outputs and buffers log_vars weighted by num_samples (case 10)', async () => {
    const model = new ToyModel();
    const bad = Object.assign(Object.create(model) as ToyModel, { train_step: () => [1] as unknown as StepOutputs });
    const r = new EpochBasedRunner({ model: bad, logger: new MemoryLogger(), max_epochs: 1 });
    await expect(r.run([new ToyLoader({ length: 1 })], [['train', 1]])).rejects.toThrow(/must return a dict/);
    const ok = Object.assign(Object.create(model) as ToyModel, { train_step: (): StepOutputs => ({ loss: 1, log_vars: { loss: 1.0 }, num_samples: 2 }) });
    const r2 = new EpochBasedRunner({ model: ok, logger: new MemoryLogger(), max_epochs: 1 });
    await r2.run([new ToyLoader({ length: 1 })], [['train', 1]]);
    expect(r2.log_buffer.val_history.get('loss')).toEqual([1]);
    expect(r2.log_buffer.n_history.get('loss')).toEqual([2]);
    model.dispose();
  });

  it('logs the start lines as mmcv', async () => {
    const { runner, model, logger } = epochRunner();
    await runner.run([new ToyLoader({ length: 1 })], [['train', 1]]);
    expect(logger.lines[0]).toMatch(/^INFO - Start running, host: \S+@\S+, work_dir: \/.+$/);
    expect(logger.lines[1]).toBe('INFO - Hooks will be executed in the following order:\n');
    expect(logger.lines[2]).toBe("INFO - workflow: [('train', 1)], max: 2 epochs");
    model.dispose();
  });

  it('should_stop ends training after the current iteration', async () => {
    const { runner, model } = epochRunner({ max_epochs: 5 });
    class Stopper extends Hook {
      override after_train_iter(r: RunnerLike): void {
        if (r.iter === 4) r.should_stop = true;
      }
    }
    const rec = new RecorderHook();
    runner.registerHook(new Stopper());
    runner.registerHook(rec);
    await runner.run([new ToyLoader({ length: 3 })], [['train', 1]]);
    expect(runner.iter).toBe(5);
    expect(runner.epoch).toBe(2);
    expect(rec.calls.slice(-3)).toEqual(['after_train_iter e1 i4 ii1 train', 'after_train_epoch e1 i5 ii1 train', 'after_run e2 i5 ii1 train']);
    model.dispose();
  });

  it('frees gradients when no optimizer hook takes them, and memory stays flat over 200 iterations', async () => {
    const model = new ToyModel();
    const optimizer = new ToySGD(model.namedParameters(), { lr: 0.01, momentum: 0.9 });
    const counts: number[] = [];
    class Probe extends Hook {
      constructor(readonly gradsLeft: number) {
        super();
      }
      override after_train_iter(r: RunnerLike): void {
        if (r.iter === 0) expect(r.outputs!.grads?.size ?? 0).toBe(this.gradsLeft);
      }
      override after_train_epoch(_r: RunnerLike): void {
        counts.push(tf.memory().numTensors);
      }
    }
    const before = tf.memory().numTensors;
    const r = new EpochBasedRunner({ model, optimizer, logger: new MemoryLogger(), max_epochs: 4 });
    r.registerHook(new Probe(2), 'LOWEST');
    r.registerTrainingHooks({ log_config: { interval: 10, hooks: [{ type: 'TextLoggerHook' }] } });
    await r.run([new ToyLoader({ length: 50 })], [['train', 1]]);
    expect(r.iter).toBe(200);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    // with an optimizer hook (stand-in) stepping the SGD and checkpoints (optimizer state is
    // serialized from caller-owned copies): still flat once the momentum buffers exist
    const r2 = new EpochBasedRunner({ model, optimizer, work_dir: tempDir(), logger: new MemoryLogger(), max_epochs: 3, hook_registry: standInHooks() });
    counts.length = 0;
    r2.registerHook(new Probe(0), 'LOWEST');
    r2.registerTrainingHooks({ optimizer_config: { grad_clip: { max_norm: 1 } }, checkpoint_config: { interval: 1 } });
    await r2.run([new ToyLoader({ length: 20 })], [['train', 1]]);
    expect(new Set(counts).size).toBe(1);
    optimizer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
  });

  it('current_lr / current_momentum', () => {
    const model = new ToyModel();
    const optimizer = new ToySGD(model.namedParameters(), { lr: 0.02, momentum: 0.9 });
    const r = new EpochBasedRunner({ model, optimizer, logger: new MemoryLogger(), max_epochs: 1 });
    expect(r.current_lr()).toEqual([0.02]);
    expect(r.current_momentum()).toEqual([0.9]);
    optimizer.paramGroups[0]!.momentum = undefined as unknown as number;
    optimizer.paramGroups[0]!.betas = [0.8, 0.999];
    delete optimizer.paramGroups[0]!.momentum;
    expect(r.current_momentum()).toEqual([0.8]);
    const r2 = new EpochBasedRunner({ model, logger: new MemoryLogger(), max_epochs: 1 });
    expect(() => r2.current_lr()).toThrow('lr is not applicable because optimizer does not exist.');
    model.dispose();
  });
});

/** A ToyModel whose train_step resolves later (as a data-parallel wrapper's does). */
class AsyncToyModel extends ToyModel {
  readonly order: string[] = [];
  override train_step(data: unknown, optimizer: unknown): StepOutputs {
    return new Promise<StepOutputs>((resolve) => {
      setTimeout(() => {
        this.order.push('step');
        resolve(super.train_step(data, optimizer));
      }, 1);
    }) as unknown as StepOutputs;
  }
}

describe('an async train_step (detkit: TrainableModel.train_step may return a Promise)', () => {
  it('is awaited before after_train_iter, by both runners, and its outputs are recorded', async () => {
    for (const make of [
      (model: AsyncToyModel) => new EpochBasedRunner({ model, work_dir: tempDir(), logger: new MemoryLogger(), max_epochs: 1 }),
      (model: AsyncToyModel) => new IterBasedRunner({ model, work_dir: tempDir(), logger: new MemoryLogger(), max_iters: 2 }),
    ]) {
      const model = new AsyncToyModel();
      const runner = make(model);
      class Order extends Hook {
        override after_train_iter(r: RunnerLike): void {
          model.order.push(`after:${typeof r.outputs?.loss}`);
        }
      }
      runner.registerHook(new Order());
      await runner.run([new ToyLoader({ length: 2 })], [['train', 1]]);
      expect(model.order).toEqual(['step', 'after:number', 'step', 'after:number']);
      expect(runner.iter).toBe(2);
      model.dispose();
    }
  });
});
