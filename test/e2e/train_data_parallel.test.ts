/**
 * End to end: `trainFromConfig` with `gpus: 2` (the main thread and one replica thread) trains a tiny
 * shapes RetinaNet, evaluates, checkpoints and resumes; the main thread's tensor count does not grow
 * across iterations; the same seed and device count give bit-identical weights; the replica threads
 * end with training.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../src/register_all.js';
import { trainFromConfig } from '../../src/apis/index.js';
import { MMDataParallel } from '../../src/apis/data_parallel/index.js';
import { tf } from '../../src/backend/index.js';
import { Hook } from '../../src/engine/hooks/hook.js';
import { readSafetensors } from '../../src/engine/checkpoint/safetensors.js';
import { HOOKS } from '../../src/registry/root.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Records the main thread's tensor count after every train iteration. */
class DpTensorCountHook extends Hook {
  static override readonly type: string = 'DpTensorCountHook';
  static counts: number[] = [];
  override after_train_iter(): void {
    DpTensorCountHook.counts.push(tf.memory().numTensors);
  }
}
HOOKS.register(DpTensorCountHook.type, DpTensorCountHook);

function tinyConfig(dir: string, maxEpochs: number): string {
  const file = join(dir, `tiny_dp_${maxEpochs}.json`);
  const shapes = { data_root: join(dir, 'shapes/'), auto_generate: { kind: 'shapes', train: 4, val: 2, seed: 1, size: 64 } };
  const cfg = {
    _base_: join(ROOT, 'configs/shapes/retinanet_r18_fpn_shapes.ts'),
    model: {
      backbone: { base_channels: 8 },
      neck: { in_channels: [16, 32, 64], out_channels: 16 },
      bbox_head: { in_channels: 16, feat_channels: 16, stacked_convs: 1, norm_cfg: { type: 'GN', num_groups: 4, requires_grad: true } },
      test_cfg: { score_thr: 0.0 },
    },
    data: { samples_per_gpu: 1, workers_per_gpu: 0, train: shapes, val: shapes },
    lr_config: { warmup_iters: 2 },
    runner: { max_epochs: maxEpochs },
    log_config: { interval: 1 },
    custom_hooks: [{ type: 'DpTensorCountHook' }],
  };
  writeFileSync(file, JSON.stringify(cfg));
  return file;
}

function weights(file: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [k, t] of readSafetensors(file).tensors) if (!k.startsWith('optimizer.')) out.set(k, t.data);
  return out;
}

describe('detkit train --gpus 2 (tiny shapes RetinaNet)', () => {
  it('trains on two threads, checkpoints, resumes, is deterministic, and ends its replica threads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'detkit-dp-'));
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    DpTensorCountHook.counts = [];
    const r1 = await trainFromConfig({ config: tinyConfig(dir, 1), work_dir: a, seed: 0, gpus: 2, no_validate: true });
    expect(r1.model).toBeInstanceOf(MMDataParallel);
    const dp = r1.model as MMDataParallel;
    expect(dp.liveReplicas).toBe(0);
    expect(r1.model_name).toBe('RetinaNet');
    expect(r1.iter).toBe(2); // 4 images, 1 per device, 2 devices
    const counts = DpTensorCountHook.counts;
    expect(counts).toHaveLength(2);
    expect(counts[1]).toBe(counts[0]);

    await trainFromConfig({ config: tinyConfig(dir, 1), work_dir: b, seed: 0, gpus: 2, no_validate: true });
    const wa = weights(join(a, 'epoch_1.safetensors'));
    const wb = weights(join(b, 'epoch_1.safetensors'));
    expect([...wb.keys()]).toEqual([...wa.keys()]);
    for (const [k, v] of wa) expect(Buffer.compare(Buffer.from(v), Buffer.from(wb.get(k)!)), k).toBe(0);

    DpTensorCountHook.counts = [];
    const r2 = await trainFromConfig({ config: tinyConfig(dir, 2), work_dir: a, seed: 0, gpu_ids: [0, 1], auto_resume: true });
    expect(r2.epoch).toBe(2);
    expect(r2.iter).toBe(4);
    expect((r2.model as MMDataParallel).liveReplicas).toBe(0);
    expect(DpTensorCountHook.counts[1]).toBe(DpTensorCountHook.counts[0]);
  }, 300_000);
});
