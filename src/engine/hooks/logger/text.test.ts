import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeRunner, tempDir } from '../../../testing/engine_helpers.js';
import { TensorboardLoggerHook } from './tensorboard.js';
import { TextLoggerHook } from './text.js';

describe('TextLoggerHook (engine-spec §7.3)', () => {
  it('train line, JSON line and ETA (cases 13, 14, 15)', () => {
    const dir = tempDir();
    const r = fakeRunner({ lr: 0.00197804, loaderLength: 1000, max_iters: 12000, work_dir: dir });
    const hook = new TextLoggerHook({ interval: 50 });
    r.hooks = [hook];
    hook.before_run(r);
    r.iter = 49;
    r.inner_iter = 49;
    Object.assign(r.log_buffer.output, { data_time: 0.01, loss_cls: 0.3, loss: 0.5, time: 0.5 });
    hook.log(r);
    expect(r.logger.lines).toEqual(['INFO - Epoch [1][50/1000]\tlr: 1.978e-03, eta: 1:39:35, time: 0.500, data_time: 0.010, loss_cls: 0.3000, loss: 0.5000']);
    const json = readFileSync(join(dir, `${r.timestamp}.log.json`), 'utf8').split('\n');
    expect(json[0]).toBe('{}');
    expect(json[1]).toBe('{"mode": "train", "epoch": 1, "iter": 50, "lr": 0.00198, "data_time": 0.01, "loss_cls": 0.3, "loss": 0.5, "time": 0.5}');
    r.iter = 99;
    r.inner_iter = 99;
    r.log_buffer.output = { data_time: 0.01, loss: 0.5, time: 0.4 };
    hook.log(r);
    expect(r.logger.lines[1]).toMatch(/^INFO - Epoch \[1\]\[100\/1000\]\tlr: 1\.978e-03, eta: 1:29:15, /);
    // resumed run
    const r2 = fakeRunner({ lr: 0.02, loaderLength: 1000, max_iters: 12000, iter: 6000 });
    const h2 = new TextLoggerHook({ interval: 50 });
    r2.hooks = [h2];
    h2.before_run(r2);
    r2.iter = 6049;
    r2.log_buffer.output = { data_time: 0.01, time: 0.5 };
    h2.log(r2);
    expect(r2.logger.lines[0]).toContain('eta: 0:49:35,');
  });

  it('eval results logged in train mode become a val line; eval_iter_num is removed (case 16)', () => {
    const dir = tempDir();
    const r = fakeRunner({ lr: 0.02, loaderLength: 1000, work_dir: dir, iter: 1000, inner_iter: 999 });
    const hook = new TextLoggerHook();
    hook.before_run(r);
    Object.assign(r.log_buffer.output, { eval_iter_num: 500, bbox_mAP: 0.374, bbox_mAP_copypaste: '0.374 0.581' });
    r.log_buffer.ready = true;
    hook.log(r);
    expect(r.logger.lines).toEqual(['INFO - Epoch(val) [1][500]\tbbox_mAP: 0.3740, bbox_mAP_copypaste: 0.374 0.581']);
    expect('eval_iter_num' in r.log_buffer.output).toBe(false);
    expect(readFileSync(join(dir, `${r.timestamp}.log.json`), 'utf8').split('\n')[1]).toBe('{"mode": "val", "epoch": 1, "iter": 500, "lr": 0.02, "bbox_mAP": 0.374, "bbox_mAP_copypaste": "0.374 0.581"}');
    // iter-based prefixes
    const it = new TextLoggerHook({ by_epoch: false });
    const r2 = fakeRunner({ lr: 0.02, max_iters: 40000, iter: 99 });
    r2.log_buffer.output = { time: 0.1, data_time: 0.01 };
    it.log(r2);
    expect(r2.logger.lines[0]).toMatch(/^INFO - Iter \[100\/40000\]\t/);
    r2.mode = 'val';
    r2.log_buffer.output = { loss: 1 };
    it.log(r2);
    expect(r2.logger.lines[1]).toBe('INFO - Iter(val) [100]\tloss: 1.0000');
  });

  it('prints the Exp name every interval_exp_name iterations and at epoch ends', () => {
    const r = fakeRunner({ lr: 0.02, loaderLength: 10, meta: { exp_name: 'x.py' }, iter: 9, inner_iter: 9 });
    const hook = new TextLoggerHook({ interval_exp_name: 1000 });
    r.log_buffer.output = { time: 0.1, data_time: 0 };
    hook.log(r);
    expect(r.logger.lines[0]).toBe('INFO - Exp name: x.py');
  });

  it('logs every interval inner iters; ignore_last=false also logs the epoch tail (case 12)', async () => {
    const logged = async (ignore_last: boolean): Promise<number[]> => {
      const r = fakeRunner({ lr: 0.02, loaderLength: 105 });
      const hook = new TextLoggerHook({ interval: 50, ignore_last });
      r.hooks = [hook];
      hook.before_run(r);
      const at: number[] = [];
      hook.log = () => void at.push(r.inner_iter + 1);
      for (let i = 0; i < 105; i++) {
        r.inner_iter = i;
        r.iter = i;
        r.log_buffer.update({ loss: i });
        await hook.after_train_iter(r);
      }
      return at;
    };
    expect(await logged(true)).toEqual([50, 100]);
    expect(await logged(false)).toEqual([50, 100, 105]);
  });

  it('only the last registered logger resets the output (case 12)', () => {
    const r = fakeRunner();
    const text = new TextLoggerHook();
    const tb = new TensorboardLoggerHook({ log_dir: tempDir() });
    r.hooks = [text, tb];
    text.before_run(r);
    tb.before_run(r);
    expect([text.reset_flag, tb.reset_flag]).toEqual([false, true]);
    tb.after_run(r);
  });
});
