import { describe, expect, it } from 'vitest';
import { LogBuffer } from './log_buffer.js';

describe('LogBuffer (engine-spec §7.3 case 11)', () => {
  it('averages the last n entries weighted by count', () => {
    const buf = new LogBuffer();
    buf.update({ loss: 1 }, 2);
    buf.update({ loss: 2 }, 2);
    buf.update({ loss: 3 }, 4);
    buf.average(2);
    expect(buf.output.loss).toBeCloseTo(16 / 6, 12);
    buf.average();
    expect(buf.output.loss).toBeCloseTo(2.25, 12);
    expect(buf.ready).toBe(true);
    buf.clear_output();
    expect(buf.output).toEqual({});
    expect(buf.ready).toBe(false);
    expect(buf.val_history.get('loss')).toEqual([1, 2, 3]);
    expect(buf.n_history.get('loss')).toEqual([2, 2, 4]);
  });
  it('keeps first-insertion key order and leaves output keys absent from history', () => {
    const buf = new LogBuffer();
    buf.output.bbox_mAP = 0.5;
    buf.update({ data_time: 0.1 });
    buf.update({ loss_cls: 1, loss: 2 });
    buf.update({ time: 0.2, data_time: 0.3 });
    buf.average();
    expect(Object.keys(buf.output)).toEqual(['bbox_mAP', 'data_time', 'loss_cls', 'loss', 'time']);
    expect(buf.output.bbox_mAP).toBe(0.5);
    expect(buf.output.data_time).toBeCloseTo(0.2, 12);
    buf.clear();
    expect(buf.val_history.size).toBe(0);
    expect(buf.ready).toBe(false);
  });
});
