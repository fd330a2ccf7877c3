/**
 * `simulateSchedule`: config keys → per-iteration lr / momentum, checked by hand against mmcv's
 * formulas (schedule_1x warmup across epochs, IterBasedRunner defaults, legacy `total_epochs`).
 */
import { describe, expect, it } from 'vitest';
import { simulateSchedule, type ScheduleConfig } from './simulate_schedule.js';

const schedule1x: ScheduleConfig = {
  optimizer: { type: 'SGD', lr: 0.02, momentum: 0.9, weight_decay: 0.0001 },
  lr_config: { policy: 'step', warmup: 'linear', warmup_iters: 500, warmup_ratio: 0.001, step: [8, 11] },
  runner: { type: 'EpochBasedRunner', max_epochs: 12 },
  data: { samples_per_gpu: 2 },
};

describe('simulateSchedule', () => {
  it('schedule_1x on 100 images, 2 per batch: 50 iterations per epoch, warmup into epoch 8', () => {
    const { lr, momentum } = simulateSchedule(schedule1x, 100);
    expect(lr).toHaveLength(600);
    expect(lr[0]).toBeCloseTo(2e-5, 15);
    // iteration 400 is epoch 8 (regular 0.002), still warming up: 0.002 * (1 - (1 - 400/500) * 0.999)
    expect(lr[400]).toBeCloseTo(0.002 * (1 - 0.2 * 0.999), 15);
    expect(lr[500]).toBeCloseTo(0.002, 15);
    expect(lr[550]).toBeCloseTo(0.0002, 15);
    expect(new Set(momentum)).toEqual(new Set([0.9]));
  });
  it('iterations per epoch = ceil(dataset size / samples_per_gpu)', () => {
    expect(simulateSchedule({ ...schedule1x, runner: { type: 'EpochBasedRunner', max_epochs: 2 } }, 101).lr).toHaveLength(102);
  });
  it('with gpu_ids a batch is samples_per_gpu × devices: ceil(101 / (2 × 2)) = 26 iterations per epoch', () => {
    expect(simulateSchedule({ ...schedule1x, gpu_ids: [0, 1], runner: { type: 'EpochBasedRunner', max_epochs: 2 } }, 101).lr).toHaveLength(52);
  });
  it('IterBasedRunner: lr_config.by_epoch defaults to false; steps count iterations', () => {
    const cfg: ScheduleConfig = {
      optimizer: { type: 'SGD', lr: 0.01 },
      lr_config: { policy: 'step', step: [20, 40], gamma: 0.5 },
      runner: { type: 'IterBasedRunner', max_iters: 50 },
      data: { samples_per_gpu: 4 },
    };
    const { lr, momentum } = simulateSchedule(cfg, 7);
    expect(lr).toHaveLength(50);
    expect([lr[19], lr[20], lr[39], lr[40]]).toEqual([0.01, 0.005, 0.005, 0.0025]);
    expect(momentum[0]).toBe(0); // SGD default momentum
  });
  it('legacy total_epochs, no lr_config (constant), Adam momentum is betas[0]', () => {
    const { lr, momentum } = simulateSchedule({ optimizer: { type: 'Adam', lr: 3e-4, betas: [0.8, 0.99] }, total_epochs: 3, data: { samples_per_gpu: 1 } }, 5);
    expect(lr).toEqual(new Array(15).fill(3e-4));
    expect(momentum[14]).toBe(0.8);
  });
  it('names the missing config keys', () => {
    expect(() => simulateSchedule({ ...schedule1x, data: {} }, 10)).toThrow(expect.objectContaining({ code: 'SCHEDULE_CONFIG', configPath: 'data.samples_per_gpu' }));
    const { runner: _r, ...noRunner } = schedule1x;
    expect(() => simulateSchedule(noRunner, 10)).toThrow(expect.objectContaining({ configPath: 'runner' }));
    expect(() => simulateSchedule(schedule1x, 0)).toThrow(expect.objectContaining({ code: 'SCHEDULE_DATASET_SIZE' }));
    expect(() => simulateSchedule({ ...schedule1x, lr_config: { policy: 'Stepp' } }, 10)).toThrow(expect.objectContaining({ code: 'REGISTRY_TYPE_NOT_FOUND' }));
  });
});
