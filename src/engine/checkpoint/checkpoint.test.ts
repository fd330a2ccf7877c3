import { existsSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import '../index.js';
import { ClosureHook } from '../hooks/closure.js';
import { MemoryLogger } from '../logging/logger.js';
import { EpochBasedRunner } from '../runner/epoch_based_runner.js';
import { IterBasedRunner } from '../runner/iter_based_runner.js';
import type { RunnerLike } from '../types.js';
import { ToyLoader, ToyModel, ToySGD } from '../../testing/toy.js';
import { standInHooks, tempDir } from '../../testing/engine_helpers.js';
import { findLatestCheckpoint, loadCheckpoint, readCheckpointMeta } from './checkpoint.js';
import { readSafetensors, writeSafetensors, type SafeTensor } from './safetensors.js';

beforeAll(async () => {
  await initBackend('cpu');
});

interface Setup {
  runner: EpochBasedRunner;
  model: ToyModel;
  optimizer: ToySGD;
  logger: MemoryLogger;
}

function setup(work_dir: string, max_epochs: number, checkpoint_config: Record<string, unknown> | null = { interval: 1 }, meta: Record<string, unknown> = {}): Setup {
  const model = new ToyModel();
  const optimizer = new ToySGD(model.namedParameters(), { lr: 0.05, momentum: 0.9 });
  const logger = new MemoryLogger();
  const runner = new EpochBasedRunner({ model, optimizer, work_dir, logger, max_epochs, meta, hook_registry: standInHooks() });
  runner.registerTrainingHooks({ lr_config: { policy: 'step', step: [1, 2] }, optimizer_config: {}, checkpoint_config });
  return { runner, model, optimizer, logger };
}

function dispose(s: Setup): void {
  s.optimizer.dispose();
  s.model.dispose();
}

const loader = (): ToyLoader => new ToyLoader({ length: 3 });

describe('checkpoints (engine-spec §7.6)', () => {
  it('epoch_N + latest after each epoch; meta epoch/iter, CLASSES, version, time; optimizer tensors (case 33)', async () => {
    const dir = tempDir();
    const s = setup(dir, 2, { interval: 1 }, { exp_name: 'toy' });
    await s.runner.run([loader()], [['train', 1]]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.safetensors')).sort()).toEqual(['epoch_1.safetensors', 'epoch_2.safetensors', 'latest.safetensors']);
    // latest is a hard link to the newest file (a complete file on its own)
    expect(statSync(join(dir, 'latest.safetensors')).ino).toBe(statSync(join(dir, 'epoch_2.safetensors')).ino);
    const meta = readCheckpointMeta(join(dir, 'epoch_1.safetensors'));
    expect(meta).toMatchObject({ exp_name: 'toy', epoch: 1, iter: 3, CLASSES: ['neg', 'pos'], detkit_version: expect.any(String) });
    expect(meta.time).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
    expect((meta.optimizer as { type: string }).type).toBe('SGD');
    expect(meta.hook_msgs).toEqual({ last_ckpt: join(dir, 'epoch_1.safetensors') });
    expect(readCheckpointMeta(join(dir, 'epoch_2.safetensors')).hook_msgs).toEqual({ last_ckpt: join(dir, 'epoch_2.safetensors') });
    const raw = readSafetensors(join(dir, 'epoch_2.safetensors'));
    expect([...raw.tensors.keys()].sort()).toEqual(['fc.bias', 'fc.weight', 'optimizer.fc.bias.momentum_buffer', 'optimizer.fc.weight.momentum_buffer']);
    // stored weights equal the model's
    expect([...new Float32Array(raw.tensors.get('fc.weight')!.data.buffer)]).toEqual(s.model.snapshot()['fc.weight']);
    dispose(s);
    const s2 = setup(tempDir(), 1, { interval: 1, save_optimizer: false });
    await s2.runner.run([loader()], [['train', 1]]);
    const raw2 = readSafetensors(join(s2.runner.work_dir, 'epoch_1.safetensors'));
    expect([...raw2.tensors.keys()].sort()).toEqual(['fc.bias', 'fc.weight']);
    expect(readCheckpointMeta(join(s2.runner.work_dir, 'epoch_1.safetensors')).optimizer).toBeUndefined();
    dispose(s2);
  });

  it('meta precedence: runner meta beats the argument, epoch/iter beat both (case 34)', async () => {
    const dir = tempDir();
    const s = setup(dir, 1, null, { a: 1, epoch: 99 });
    s.runner.registerHook(new ClosureHook({ fn_name: 'after_train_epoch', fn: async () => void (await s.runner.saveCheckpoint(dir, { meta: { a: 2, b: 3 } })) }));
    await s.runner.run([loader()], [['train', 1]]);
    expect(readCheckpointMeta(join(dir, 'epoch_1.safetensors'))).toMatchObject({ a: 1, b: 3, epoch: 1, iter: 3 });
    dispose(s);
  });

  it('IterBasedRunner writes iter_N with meta.iter = N (completed count; mmcv stores N-1) (case 36)', async () => {
    const dir = tempDir();
    const model = new ToyModel();
    const optimizer = new ToySGD(model.namedParameters(), { lr: 0.05 });
    const runner = new IterBasedRunner({ model, optimizer, work_dir: dir, logger: new MemoryLogger(), max_iters: 4, hook_registry: standInHooks() });
    runner.registerTrainingHooks({ optimizer_config: {}, checkpoint_config: { interval: 2 } });
    await runner.run([loader()], [['train', 1]]);
    expect(readdirSync(dir).filter((f) => f.startsWith('iter_')).sort()).toEqual(['iter_2.safetensors', 'iter_4.safetensors']);
    expect(readCheckpointMeta(join(dir, 'iter_2.safetensors'))).toMatchObject({ iter: 2, epoch: 1 });
    const r2 = new IterBasedRunner({ model, optimizer, work_dir: dir, logger: new MemoryLogger(), max_iters: 4 });
    r2.resume(join(dir, 'iter_2.safetensors'));
    expect([r2.iter, r2.inner_iter, r2.epoch]).toEqual([2, 2, 1]);
    optimizer.dispose();
    model.dispose();
  });

  it('resume continues exactly as an uninterrupted run: weights, momentum, lr, counters, hook state', async () => {
    const full = setup(tempDir(), 3, { interval: 1, max_keep_ckpts: 2 });
    await full.runner.run([loader()], [['train', 1]]);
    const dir = tempDir();
    const first = setup(dir, 1, { interval: 1, max_keep_ckpts: 2 });
    await first.runner.run([loader()], [['train', 1]]);
    dispose(first);
    const second = setup(dir, 3, { interval: 1, max_keep_ckpts: 2 });
    const tensorsBefore = tf.memory().numTensors;
    second.runner.resume(join(dir, 'epoch_1.safetensors'));
    expect(tf.memory().numTensors).toBe(tensorsBefore + 2 /* momentum buffers */);
    expect([second.runner.epoch, second.runner.iter]).toEqual([1, 3]);
    expect(second.optimizer.paramGroups[0]!.initial_lr).toBe(0.05);
    expect(second.logger.lines).toContain('INFO - resumed epoch 1, iter 3');
    await second.runner.run([loader()], [['train', 1]]);
    expect(second.model.snapshot()).toEqual(full.model.snapshot());
    expect(second.runner.current_lr()).toEqual(full.runner.current_lr());
    expect([second.runner.epoch, second.runner.iter]).toEqual([3, 9]);
    // the resumed file counts toward max_keep_ckpts: epoch_1 was deleted
    expect(readdirSync(dir).filter((f) => f.startsWith('epoch_')).sort()).toEqual(['epoch_2.safetensors', 'epoch_3.safetensors']);
    dispose(full);
    dispose(second);
  });

  it('load_checkpoint: revise keys, ignore num_batches_tracked, warn or throw on mismatches (case 39)', () => {
    const model = new ToyModel();
    const realState = model.stateDict.bind(model);
    const buf = tf.scalar(0, 'int32');
    model.stateDict = () => new Map([...realState(), ['bn.num_batches_tracked', buf]]);
    const dir = tempDir();
    const f32 = (n: number, shape: number[]): SafeTensor => ({ dtype: 'F32', shape, data: new Uint8Array(new Float32Array(n).fill(0.5).buffer) });
    const file = join(dir, 'm.safetensors');
    writeSafetensors(file, new Map([['module.fc.weight', f32(12, [4, 3])], ['module.fc.bias', f32(3, [3])], ['fc.extra', f32(1, [1])]]));
    const logger = new MemoryLogger();
    const before = tf.memory().numTensors;
    const res = loadCheckpoint(model, file, { logger });
    expect(tf.memory().numTensors).toBe(before);
    expect(res.unexpected).toEqual(['fc.extra']);
    expect(res.missing).toEqual([]);
    expect(logger.lines).toEqual(['WARNING - The model and loaded state dict do not match exactly\n\nunexpected key in source state_dict: fc.extra\n']);
    expect(model.snapshot()['fc.bias']).toEqual([0.5, 0.5, 0.5]);
    const partial = join(dir, 'p.safetensors');
    writeSafetensors(partial, new Map([['fc.weight', f32(12, [4, 3])]]));
    expect(() => loadCheckpoint(model, partial, { strict: true })).toThrow(expect.objectContaining({ code: 'CHECKPOINT_STATE_MISMATCH', message: expect.stringContaining('missing keys in source state_dict: fc.bias') }));
    const wrongShape = join(dir, 's.safetensors');
    writeSafetensors(wrongShape, new Map([['fc.weight', f32(6, [2, 3])], ['fc.bias', f32(3, [3])]]));
    expect(() => loadCheckpoint(model, wrongShape, { strict: true })).toThrow(/size mismatch for fc.weight: copying a param with shape \[2, 3\] from checkpoint, the shape in current model is \[4, 3\]/);
    buf.dispose();
    model.dispose();
  });

  it('a corrupt checkpoint passed to resume fails with a clear error and changes nothing', async () => {
    const dir = tempDir();
    const s = setup(dir, 1);
    await s.runner.run([loader()], [['train', 1]]);
    const file = join(dir, 'epoch_1.safetensors');
    truncateSync(file, statSync(file).size - 10);
    const s2 = setup(dir, 2);
    const snap = s2.model.snapshot();
    expect(() => s2.runner.resume(file)).toThrow(expect.objectContaining({ code: 'CHECKPOINT_TRUNCATED', file }));
    expect(s2.model.snapshot()).toEqual(snap);
    expect(s2.runner.epoch).toBe(0);
    dispose(s);
    dispose(s2);
  });

  it('find the newest complete checkpoint (case 40): numeric order, truncated and temp files skipped', () => {
    const dir = tempDir();
    const write = (name: string, epoch: number): void =>
      writeSafetensors(join(dir, name), new Map(), { meta: JSON.stringify({ epoch, iter: epoch * 10 }) });
    write('epoch_3.safetensors', 3);
    write('epoch_12.safetensors', 12);
    write('epoch_5.safetensors', 5);
    expect(findLatestCheckpoint(dir)).toBe(join(dir, 'epoch_12.safetensors'));
    write('epoch_13.safetensors', 13);
    truncateSync(join(dir, 'epoch_13.safetensors'), 20);
    writeFileSync(join(dir, '.epoch_14.safetensors.tmp-123'), 'partial');
    const logger = new MemoryLogger();
    expect(findLatestCheckpoint(dir, logger)).toBe(join(dir, 'epoch_12.safetensors'));
    expect(logger.lines[0]).toMatch(/^WARNING - skipping incomplete checkpoint .*epoch_13.safetensors/);
    expect(findLatestCheckpoint(join(dir, 'nope'))).toBeNull();
    expect(findLatestCheckpoint(tempDir())).toBeNull();
    expect(existsSync(join(dir, '.epoch_14.safetensors.tmp-123'))).toBe(true);
  });
});

describe('CheckpointHook', () => {
  const savedEpochs = async (cfg: Record<string, unknown>, max_epochs: number): Promise<number[]> => {
    const dir = tempDir();
    const s = setup(dir, max_epochs, cfg);
    await s.runner.run([new ToyLoader({ length: 1 })], [['train', 1]]);
    dispose(s);
    return readdirSync(dir)
      .map((f) => /^epoch_(\d+)\.safetensors$/.exec(f)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  };

  it('interval, save_last and max_keep_ckpts (case 35, mmengine retention)', async () => {
    expect(await savedEpochs({ interval: 2, max_keep_ckpts: 2 }, 5)).toEqual([4, 5]);
    expect(await savedEpochs({ interval: 1, max_keep_ckpts: 2 }, 5)).toEqual([4, 5]);
    expect(await savedEpochs({ interval: 5 }, 12)).toEqual([5, 10, 12]);
    expect(await savedEpochs({ interval: -1 }, 12)).toEqual([12]);
    expect(await savedEpochs({ interval: 5, save_last: false }, 12)).toEqual([5, 10]);
  });

  it('out_dir gets the work_dir basename; last_ckpt points there (case 37)', async () => {
    const work = join(tempDir(), 'B');
    const out = join(tempDir(), 'A');
    const s = setup(work, 1, { interval: 1, out_dir: out });
    await s.runner.run([loader()], [['train', 1]]);
    expect(existsSync(join(out, 'B', 'epoch_1.safetensors'))).toBe(true);
    expect((s.runner.meta.hook_msgs as Record<string, unknown>).last_ckpt).toBe(join(out, 'B', 'epoch_1.safetensors'));
    expect(s.logger.lines).toContain(`INFO - Checkpoints will be saved to ${join(out, 'B')} by HardDiskBackend.`);
    dispose(s);
  });

  it('by_epoch=false saves by iteration and logs mmcv lines', async () => {
    const dir = tempDir();
    const s = setup(dir, 1, { interval: 2, by_epoch: false });
    s.runner.registerHook(new ClosureHook({ fn_name: 'after_run', fn: (r: RunnerLike) => void expect(r.iter).toBe(3) }));
    await s.runner.run([loader()], [['train', 1]]);
    expect(s.logger.lines.filter((l) => l.includes('Saving checkpoint'))).toEqual(['INFO - Saving checkpoint at 2 iterations', 'INFO - Saving checkpoint at 3 iterations']);
    expect(readdirSync(dir).filter((f) => f.startsWith('iter_')).sort()).toEqual(['iter_2.safetensors', 'iter_3.safetensors']);
    expect(readCheckpointMeta(join(dir, 'iter_2.safetensors'))).toMatchObject({ epoch: 0, iter: 2 });
    dispose(s);
  });
});
