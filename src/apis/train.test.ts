/**
 * `autoScaleLr` (mmdet 2.28 `auto_scale_lr`): lr × (num_gpus × samples_per_gpu) / base_batch_size,
 * with num_gpus = len(gpu_ids).
 */
import { describe, expect, it } from 'vitest';
import { autoScaleLr, type TrainConfig } from './train.js';

function cfg(extra: Partial<TrainConfig>): TrainConfig {
  return { data: { samples_per_gpu: 4, train: {} }, optimizer: { type: 'SGD', lr: 0.02 }, work_dir: '/tmp/x', auto_scale_lr: { enable: true, base_batch_size: 16 }, ...extra };
}

describe('autoScaleLr', () => {
  it('scales by num_gpus × samples_per_gpu / base_batch_size', () => {
    const lines: string[] = [];
    const c = cfg({ gpu_ids: [0, 1] });
    expect(autoScaleLr(c, (m) => lines.push(m))).toBeCloseTo(0.01, 12); // 0.02 × 8 / 16
    expect(c.optimizer.lr).toBeCloseTo(0.01, 12);
    expect(lines).toEqual(['LR has been automatically scaled from 0.02 to 0.01']);
    expect(autoScaleLr(cfg({}))).toBeCloseTo(0.005, 12); // one device: 0.02 × 4 / 16
    expect(autoScaleLr(cfg({ gpu_ids: [0, 1, 2, 3] }))).toBe(0.02); // 16 = base: unchanged
  });

  it('leaves lr alone when disabled', () => {
    expect(autoScaleLr(cfg({ gpu_ids: [0, 1], auto_scale_lr: { enable: false, base_batch_size: 16 } }))).toBe(0.02);
  });
});
