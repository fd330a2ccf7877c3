import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import '../index.js';
import { readSafetensors } from '../checkpoint/safetensors.js';
import { MemoryLogger } from '../logging/logger.js';
import { EpochBasedRunner } from '../runner/epoch_based_runner.js';
import { ToyLoader, ToyModel, ToySGD } from '../../testing/toy.js';
import { fakeRunner, standInHooks, tempDir } from '../../testing/engine_helpers.js';
import { EMAHook } from './ema.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const close = (a: number[], b: number[]): void => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));

describe('EMAHook (engine-spec §2.9)', () => {
  it('ema = (1 - m) * ema + m * param with the warm-up momentum, every interval iterations; swaps at epoch ends', () => {
    const model = new ToyModel();
    const r = fakeRunner({ model });
    const hook = new EMAHook({ momentum: 0.5, warm_up: 1 });
    hook.before_run(r);
    const p0 = model.snapshot()['fc.bias']!;
    model.params.get('fc.bias')!.assign(tf.tensor1d([1, 2, 3]));
    r.iter = 0;
    hook.after_train_iter(r); // m = min(0.5, 1/1) = 0.5
    const ema1 = p0.map((v, i) => 0.5 * v + 0.5 * [1, 2, 3][i]!);
    close([...hook.tensorStateDict().get('ema_fc_bias')!.dataSync()], ema1);
    expect([...hook.tensorStateDict().keys()]).toEqual(['ema_fc_weight', 'ema_fc_bias']);
    hook.after_train_epoch(r); // model gets the EMA, the buffer the trained weights
    close(model.snapshot()['fc.bias']!, ema1);
    close([...hook.tensorStateDict().get('ema_fc_bias')!.dataSync()], [1, 2, 3]);
    hook.before_train_epoch(r);
    close(model.snapshot()['fc.bias']!, [1, 2, 3]);
    const before = tf.memory().numTensors;
    hook.after_run(r);
    expect(tf.memory().numTensors).toBe(before - 2);
    model.dispose();
    // interval 2: momentum ** 2, no update at odd iterations
    const h2 = new EMAHook({ momentum: 0.1, interval: 2, warm_up: 1 });
    expect(h2.momentum).toBeCloseTo(0.01, 12);
    expect(() => new EMAHook({ momentum: 1 })).toThrow(expect.objectContaining({ code: 'EMA_BAD_ARGS' }));
    expect(() => new EMAHook({ interval: 0 })).toThrow(expect.objectContaining({ code: 'EMA_BAD_ARGS' }));
  });

  it('EMA buffers are saved as ema_<name> and restored on resume', async () => {
    const dir = tempDir();
    const run = async (max_epochs: number, resume?: string): Promise<{ model: ToyModel; hook: EMAHook }> => {
      const model = new ToyModel();
      const optimizer = new ToySGD(model.namedParameters(), { lr: 0.1 });
      const runner = new EpochBasedRunner({ model, optimizer, work_dir: dir, logger: new MemoryLogger(), max_epochs, hook_registry: standInHooks() });
      runner.registerTrainingHooks({ optimizer_config: {}, checkpoint_config: { interval: 1 } });
      const hook = new EMAHook({ momentum: 0.2, warm_up: 1 });
      runner.registerHook(hook, 49); // before CheckpointHook in after_train_epoch
      if (resume !== undefined) runner.resume(resume);
      await runner.run([new ToyLoader({ length: 3 })], [['train', 1]]);
      optimizer.dispose();
      return { model, hook };
    };
    const full = await run(2);
    const raw = readSafetensors(join(dir, 'epoch_1.safetensors'));
    expect([...raw.tensors.keys()].sort()).toEqual(['ema_fc_bias', 'ema_fc_weight', 'fc.bias', 'fc.weight']);
    const resumed = await run(2, join(dir, 'epoch_1.safetensors'));
    close(resumed.model.snapshot()['fc.weight']!, full.model.snapshot()['fc.weight']!);
    full.model.dispose();
    resumed.model.dispose();
  });
});
