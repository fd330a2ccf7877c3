import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../backend/index.js';
import '../index.js';
import { MemoryLogger } from '../logging/logger.js';
import { EpochBasedRunner } from '../runner/epoch_based_runner.js';
import { readCheckpointMeta } from '../checkpoint/checkpoint.js';
import { ToyLoader, ToyModel, ToySGD } from '../../testing/toy.js';
import { fakeRunner, standInHooks, tempDir } from '../../testing/engine_helpers.js';
import { EarlyStoppingHook } from './early_stopping.js';
import { EvalHook, inferRule } from './evaluation.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const noEval = async (): Promise<Record<string, number>> => ({});

describe('EvalHook (engine-spec §7.7)', () => {
  it('_should_evaluate by epoch (case 41)', () => {
    const at = (cfg: { start?: number; interval?: number }): number[] => {
      const hook = new EvalHook({ evaluate: noEval, ...cfg });
      const r = fakeRunner();
      const out: number[] = [];
      for (let e = 0; e < 8; e++) {
        r.epoch = e;
        if (hook.shouldEvaluate(r)) out.push(e + 1);
      }
      return out;
    };
    expect(at({ interval: 2 })).toEqual([2, 4, 6, 8]);
    expect(at({ start: 3, interval: 2 })).toEqual([3, 5, 7]);
    expect(at({ start: 1, interval: 3 })).toEqual([1, 4, 7]);
  });

  it('start=0 evaluates once before training', async () => {
    let calls = 0;
    const hook = new EvalHook({ evaluate: async () => ((calls += 1), { acc: 1 }), start: 0 });
    const r = fakeRunner();
    hook.before_run(r);
    await hook.before_train_epoch(r);
    await hook.before_train_epoch(r);
    expect(calls).toBe(1);
  });

  it('rule inference (case 42) and argument errors', () => {
    expect(inferRule('bbox_mAP')).toBe('greater');
    expect(inferRule('AR@100')).toBe('greater');
    expect(inferRule('mIoU')).toBe('greater');
    expect(inferRule('loss_total')).toBe('less');
    expect(() => inferRule('foo')).toThrow('Cannot infer the rule for key foo, thus a specific rule must be specified.');
    expect(() => new EvalHook({ evaluate: noEval, save_best: 'x', rule: 'max' as 'greater' })).toThrow(expect.objectContaining({ code: 'EVAL_BAD_RULE' }));
    expect(() => new EvalHook({ evaluate: noEval, start: -1 })).toThrow('The evaluation start epoch -1 is smaller than 0');
    expect(() => new EvalHook({ evaluate: noEval, interval: 0 })).toThrow(expect.objectContaining({ code: 'EVAL_BAD_INTERVAL' }));
  });

  it('logs results as a val record and keeps only the best checkpoint (case 43); early stopping reads them', async () => {
    const dir = tempDir();
    const scores = [0.3, 0.5, 0.4, 0.45, 0.2];
    const model = new ToyModel();
    const optimizer = new ToySGD(model.namedParameters(), { lr: 0.01 });
    const logger = new MemoryLogger();
    const runner = new EpochBasedRunner({ model, optimizer, work_dir: dir, logger, max_epochs: 5, hook_registry: standInHooks() });
    runner.registerTrainingHooks({ optimizer_config: {}, log_config: { interval: 50, hooks: [{ type: 'TextLoggerHook' }] } });
    const evalHook = new EvalHook({ evaluate: async (r) => ({ bbox_mAP: scores[r.epoch]! }), save_best: 'auto', dataloader_length: 7 });
    runner.registerHook(evalHook, 'LOW');
    const stopper = new EarlyStoppingHook({ monitor: 'bbox_mAP', patience: 2, min_delta: 0.01 });
    runner.registerHook(stopper, 'LOWEST');
    await runner.run([new ToyLoader({ length: 2 })], [['train', 1]]);
    const bests = readdirSync(dir).filter((f) => f.startsWith('best_'));
    expect(bests).toEqual(['best_bbox_mAP_epoch_2.safetensors']);
    expect(runner.meta.hook_msgs).toMatchObject({ best_score: 0.5, best_ckpt: join(dir, 'best_bbox_mAP_epoch_2.safetensors') });
    expect(existsSync(join(dir, 'latest.safetensors'))).toBe(false);
    expect(readCheckpointMeta(join(dir, 'best_bbox_mAP_epoch_2.safetensors'))).toMatchObject({ epoch: 2 });
    expect(logger.lines).toContain('INFO - Epoch(val) [1][7]\tbbox_mAP: 0.3000');
    expect(logger.lines).toContain('INFO - Now best checkpoint is saved as best_bbox_mAP_epoch_2.safetensors.');
    expect(logger.lines).toContain('INFO - Best bbox_mAP is 0.5000 at 2 epoch.');
    // patience 2: epochs 3 and 4 do not improve on 0.5 by 0.01 → stop after epoch 4
    expect(runner.epoch).toBe(4);
    expect(stopper.best_score).toBe(0.5);
    optimizer.dispose();
    model.dispose();
  });
});

describe('EarlyStoppingHook (engine-spec §7.10 case 60)', () => {
  it('scores 0.30, 0.305, 0.306 with patience 2, min_delta 0.01: stop after the third, best stays 0.30', () => {
    const hook = new EarlyStoppingHook({ monitor: 'coco/bbox_mAP', patience: 2, min_delta: 0.01 });
    expect(hook.rule).toBe('greater');
    const r = fakeRunner();
    const stops: boolean[] = [];
    for (const s of [0.3, 0.305, 0.306]) {
      r.log_buffer.clear();
      r.log_buffer.update({ 'coco/bbox_mAP': s });
      hook.after_val_epoch(r);
      stops.push(r.should_stop);
    }
    expect(stops).toEqual([false, false, true]);
    expect(hook.best_score).toBe(0.3);
  });

  it('non-finite scores stop; a missing monitor warns or throws (strict); state round-trips', () => {
    const hook = new EarlyStoppingHook({ monitor: 'loss' });
    expect(hook.rule).toBe('less');
    const r = fakeRunner();
    hook.after_val_epoch(r);
    expect(r.logger.lines[0]).toMatch(/^WARNING - Skip early stopping process/);
    r.log_buffer.update({ loss: NaN });
    hook.after_val_epoch(r);
    expect(r.should_stop).toBe(true);
    const strict = new EarlyStoppingHook({ monitor: 'loss', strict: true });
    expect(() => strict.after_val_epoch(fakeRunner())).toThrow(expect.objectContaining({ code: 'EARLY_STOP_NO_MONITOR' }));
    const a = new EarlyStoppingHook({ monitor: 'acc' });
    a.best_score = 0.7;
    a.wait_count = 3;
    const b = new EarlyStoppingHook({ monitor: 'acc' });
    b.loadStateDict(JSON.parse(JSON.stringify(a.stateDict())) as Record<string, unknown>);
    expect([b.best_score, b.wait_count]).toEqual([0.7, 3]);
  });
});

describe('EvalHook by iteration', () => {
  it('flushes the training logs, clears the buffer, then evaluates every interval iterations', async () => {
    const model = new ToyModel();
    const optimizer = new ToySGD(model.namedParameters(), { lr: 0.01 });
    const logger = new MemoryLogger();
    const { IterBasedRunner } = await import('../runner/iter_based_runner.js');
    const runner = new IterBasedRunner({ model, optimizer, work_dir: tempDir(), logger, max_iters: 6, hook_registry: standInHooks() });
    runner.registerTrainingHooks({ optimizer_config: {}, log_config: { interval: 3, hooks: [{ type: 'TextLoggerHook' }] } });
    const at: number[] = [];
    runner.registerHook(new EvalHook({ evaluate: async (r) => (at.push(r.iter + 1), { acc: 50 }), interval: 3, by_epoch: false, dataloader_length: 2 }), 'LOW');
    await runner.run([new ToyLoader({ length: 4 })], [['train', 1]]);
    expect(at).toEqual([3, 6]);
    const lines = logger.lines.filter((l) => l.startsWith('INFO - Iter'));
    expect(lines.map((l) => l.split('\t')[0])).toEqual(['INFO - Iter [3/6]', 'INFO - Iter(val) [2]', 'INFO - Iter [6/6]', 'INFO - Iter(val) [2]']);
    optimizer.dispose();
    model.dispose();
  });
});
