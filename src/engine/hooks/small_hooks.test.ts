import { describe, expect, it } from 'vitest';
import { fakeRunner } from '../../testing/engine_helpers.js';
import { ToyLoader } from '../../testing/toy.js';
import { ClosureHook } from './closure.js';
import { EmptyCacheHook } from './memory.js';
import { IterTimerHook } from './iter_timer.js';
import { DistSamplerSeedHook } from './sampler_seed.js';
import type { RunnerLike } from '../types.js';

describe('small hooks (engine-spec §2.5)', () => {
  it('IterTimerHook puts data_time and time (seconds) into the buffer', async () => {
    const r = fakeRunner();
    const hook = new IterTimerHook();
    hook.before_train_epoch(r);
    await new Promise((res) => setTimeout(res, 30));
    hook.before_train_iter(r);
    await new Promise((res) => setTimeout(res, 30));
    hook.after_train_iter(r);
    const [dt] = r.log_buffer.val_history.get('data_time')!;
    const [t] = r.log_buffer.val_history.get('time')!;
    expect(dt).toBeGreaterThan(0.02);
    expect(dt).toBeLessThan(1);
    expect(t).toBeGreaterThan(dt! + 0.02);
    expect(hook.getTriggeredStages()).toEqual(['before_train_epoch', 'before_train_iter', 'after_train_iter', 'before_val_epoch', 'before_val_iter', 'after_val_iter']);
  });

  it('DistSamplerSeedHook calls setEpoch(runner.epoch)', () => {
    const loader = new ToyLoader({ length: 1 });
    const r = fakeRunner({ data_loader: loader, epoch: 3 });
    new DistSamplerSeedHook().before_train_epoch(r);
    expect(loader.epochsSet).toEqual([3]);
  });

  it('EmptyCacheHook builds and shows in the stages mmcv lists', () => {
    expect(new EmptyCacheHook({ after_iter: true }).getTriggeredStages()).toEqual([
      'before_train_epoch',
      'after_train_iter',
      'after_train_epoch',
      'before_val_epoch',
      'after_val_iter',
      'after_val_epoch',
    ]);
  });

  it('ClosureHook runs fn at its stage and rejects unknown stages', () => {
    const seen: number[] = [];
    const hook = new ClosureHook({ fn_name: 'after_train_iter', fn: (r: RunnerLike) => void seen.push(r.iter) });
    hook.after_train_iter(fakeRunner({ iter: 7 }));
    expect(seen).toEqual([7]);
    expect(hook.getTriggeredStages()).toEqual(['after_train_iter']);
    expect(() => new ClosureHook({ fn_name: 'after_everything', fn: () => {} })).toThrow(expect.objectContaining({ code: 'HOOK_CLOSURE_BAD' }));
  });
});
