/**
 * End to end: `trainFromConfig` (detkit train) on a tiny shapes config trains, evaluates each epoch,
 * writes logs and checkpoints, and a second run with auto_resume continues from the checkpoint.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../src/register_all.js';
import { trainFromConfig } from '../../src/apis/index.js';

const ROOT = resolve(import.meta.dirname, '../..');

function tinyConfig(dir: string, maxEpochs: number): string {
  const file = join(dir, `tiny_${maxEpochs}.json`);
  const cfg = {
    _base_: join(ROOT, 'configs/shapes/retinanet_r18_fpn_shapes.ts'),
    gpu_ids: [0], // one device: the shapes config trains on two
    model: {
      backbone: { base_channels: 8 },
      neck: { in_channels: [16, 32, 64], out_channels: 16 },
      bbox_head: { in_channels: 16, feat_channels: 16, stacked_convs: 1, norm_cfg: { type: 'GN', num_groups: 4, requires_grad: true } },
      test_cfg: { score_thr: 0.0 },
    },
    data: {
      samples_per_gpu: 2,
      workers_per_gpu: 0,
      train: { data_root: join(dir, 'shapes/'), auto_generate: { kind: 'shapes', train: 4, val: 2, seed: 1, size: 64 } },
      val: { data_root: join(dir, 'shapes/'), auto_generate: { kind: 'shapes', train: 4, val: 2, seed: 1, size: 64 } },
    },
    lr_config: { warmup_iters: 2 },
    runner: { max_epochs: maxEpochs },
    log_config: { interval: 1 },
  };
  writeFileSync(file, JSON.stringify(cfg));
  return file;
}

describe('detkit train (tiny shapes RetinaNet)', () => {
  it('trains, evaluates, checkpoints, and resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'detkit-e2e-'));
    const workDir = join(dir, 'work');
    const r1 = await trainFromConfig({ config: tinyConfig(dir, 1), work_dir: workDir, seed: 0 });
    expect(r1.epoch).toBe(1);
    expect(existsSync(join(workDir, 'epoch_1.safetensors'))).toBe(true);
    const r2 = await trainFromConfig({ config: tinyConfig(dir, 2), work_dir: workDir, seed: 0, auto_resume: true });
    expect(r2.epoch).toBe(2);
    expect(r2.iter).toBe(4); // 2 iterations per epoch, the first epoch restored from its checkpoint
    expect(existsSync(join(workDir, 'epoch_2.safetensors'))).toBe(true);
    const jsonLogs = readdirSync(workDir).filter((f) => f.endsWith('.log.json')).sort();
    expect(jsonLogs).toHaveLength(2);
    const records = readFileSync(join(workDir, jsonLogs[1]), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const train = records.filter((r) => r.mode === 'train');
    const val = records.filter((r) => r.mode === 'val');
    expect(train.map((r) => r.epoch)).toEqual([2, 2]);
    expect(Object.keys(train[0])).toEqual(expect.arrayContaining(['lr', 'loss_cls', 'loss_bbox', 'loss', 'time', 'data_time']));
    expect(val).toHaveLength(1);
    expect(typeof val[0].bbox_mAP).toBe('number');
    expect(val[0].bbox_mAP as number).toBeGreaterThanOrEqual(0);
  }, 300_000);
});
