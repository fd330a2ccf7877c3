/**
 * Records every hook call of a 2-epoch run (train+val workflow) and compares it with the mmcv
 * sequence and counters of engine-spec §1.5 (and §1.6 for the iter-based runner), Lightning style.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import '../src/engine/index.js';
import { EpochBasedRunner } from '../src/engine/runner/epoch_based_runner.js';
import { IterBasedRunner } from '../src/engine/runner/iter_based_runner.js';
import { MemoryLogger } from '../src/engine/logging/logger.js';
import { Hook } from '../src/engine/hooks/hook.js';
import type { RunnerLike } from '../src/engine/types.js';
import { ToyLoader, ToyModel, ToySGD } from '../src/testing/toy.js';
import { RecorderHook, standInHooks, tempDir } from '../src/testing/engine_helpers.js';

beforeAll(async () => {
  await initBackend('cpu');
});

function expectedEpochSequence(): string[] {
  // engine-spec §1.5 counter trace: 2 epochs × 3 train iters, val loader of 2 batches.
  const s: string[] = ['before_run e0 i0 ii0 None'];
  let iter = 0;
  let inner = 0;
  for (let epoch = 0; epoch < 2; epoch++) {
    s.push(`before_train_epoch e${epoch} i${iter} ii${inner} train`);
    for (let i = 0; i < 3; i++) {
      inner = i;
      s.push(`before_train_iter e${epoch} i${iter} ii${i} train`, `after_train_iter e${epoch} i${iter} ii${i} train`);
      iter++;
    }
    s.push(`after_train_epoch e${epoch} i${iter} ii2 train`);
    s.push(`before_val_epoch e${epoch + 1} i${iter} ii2 val`);
    for (let i = 0; i < 2; i++) s.push(`before_val_iter e${epoch + 1} i${iter} ii${i} val`, `after_val_iter e${epoch + 1} i${iter} ii${i} val`);
    s.push(`after_val_epoch e${epoch + 1} i${iter} ii1 val`);
    inner = 1;
  }
  s.push('after_run e2 i6 ii1 val');
  return s;
}

describe('hook call order (engine-spec §1.5, §7.2 case 6)', () => {
  it('EpochBasedRunner, workflow train+val, 2 epochs: exact stage sequence and counters', async () => {
    const model = new ToyModel();
    const runner = new EpochBasedRunner({ model, work_dir: tempDir(), logger: new MemoryLogger(), max_epochs: 2 });
    const rec = new RecorderHook();
    runner.registerHook(rec);
    await runner.run([new ToyLoader({ length: 3 }), new ToyLoader({ length: 2, seed: 1 })], [['train', 1], ['val', 1]]);
    // the before_train_epoch of epoch 1 sees inner_iter 1 (left by the val pass), as in mmcv
    const expected = expectedEpochSequence().map((l) => (l.startsWith('before_train_epoch e1') ? 'before_train_epoch e1 i3 ii1 train' : l));
    expect(rec.calls).toEqual(expected);
    expect(model.calls).toEqual({ train_step: 6, val_step: 4 });
    model.dispose();
  });

  it('workflow variants (§7.2 case 7)', async () => {
    const phases = async (workflow: Array<[string, number]>, max_epochs: number): Promise<string> => {
      const model = new ToyModel();
      const runner = new EpochBasedRunner({ model, work_dir: tempDir(), logger: new MemoryLogger(), max_epochs });
      const rec = new RecorderHook();
      runner.registerHook(rec);
      await runner.run(workflow.map((_, i) => new ToyLoader({ length: 1, seed: i })), workflow);
      model.dispose();
      return rec.calls.filter((c) => c.startsWith('before_train_epoch') || c.startsWith('before_val_epoch')).map((c) => (c.startsWith('before_train') ? 'T' : 'V')).join('');
    };
    expect(await phases([['val', 1], ['train', 1]], 2)).toBe('VTVT');
    expect(await phases([['train', 2], ['val', 1]], 3)).toBe('TTVTV');
  });

  it('IterBasedRunner: generic before/after_epoch once, epoch lags the loader wrap (§7.2 case 9)', async () => {
    const model = new ToyModel();
    const runner = new IterBasedRunner({ model, work_dir: tempDir(), logger: new MemoryLogger(), max_iters: 5 });
    const rec = new RecorderHook();
    runner.registerHook(rec);
    await runner.run([new ToyLoader({ length: 2 })], [['train', 1]]);
    expect(rec.calls).toEqual([
      'before_run e0 i0 ii0 None',
      'before_epoch e0 i0 ii0 None',
      'before_train_iter e0 i0 ii0 train',
      'after_train_iter e0 i0 ii0 train',
      'before_train_iter e0 i1 ii0 train',
      'after_train_iter e0 i1 ii0 train',
      'before_train_iter e0 i2 ii0 train',
      'after_train_iter e0 i2 ii0 train',
      'before_train_iter e1 i3 ii0 train',
      'after_train_iter e1 i3 ii0 train',
      'before_train_iter e1 i4 ii0 train',
      'after_train_iter e1 i4 ii0 train',
      'after_epoch e1 i5 ii1 train',
      'after_run e1 i5 ii1 train',
    ]);
    model.dispose();
  });

  it('default training hooks run in mmcv priority order within each stage (§7.1 case 3)', async () => {
    const order: string[] = [];
    const tag = (name: string, stages: string[]): Hook => {
      const h = new Hook();
      for (const s of stages) {
        (h as unknown as Record<string, unknown>)[s] = (r: RunnerLike) =>
          void order.push(`${s}:${name}:${existsSync(join(r.work_dir, 'epoch_1.safetensors')) ? 'ckpt' : 'none'}`);
      }
      return h;
    };
    const model = new ToyModel();
    const optimizer = new ToySGD(model.namedParameters(), { lr: 0.01 });
    const runner = new EpochBasedRunner({ model, optimizer, work_dir: tempDir(), logger: new MemoryLogger(), max_epochs: 1, hook_registry: standInHooks() });
    runner.registerTrainingHooks({
      lr_config: { policy: 'step', step: [1] },
      optimizer_config: {},
      checkpoint_config: { interval: 1 },
      log_config: { interval: 1, hooks: [{ type: 'TextLoggerHook' }] },
      custom_hooks_config: [tag('custom49', ['after_train_epoch']), { type: 'RecorderHook', priority: 'LOWEST' }],
    });
    runner.registerHook(tag('eval', ['after_train_epoch']), 'LOW');
    expect(runner.hooks.map((h) => `${h.typeName}(${h.priority})`)).toEqual([
      'StepLrUpdaterHook(10)',
      'OptimizerHook(40)',
      'CheckpointHook(50)',
      'Hook(50)',
      'IterTimerHook(70)',
      'Hook(70)',
      'TextLoggerHook(90)',
      'RecorderHook(100)',
    ]);
    await runner.run([new ToyLoader({ length: 2 })], [['train', 1]]);
    // the checkpoint (NORMAL, registered first) is written before later NORMAL and LOW hooks run
    expect(order).toEqual(['after_train_epoch:custom49:ckpt', 'after_train_epoch:eval:ckpt']);
    model.dispose();
  });
});
