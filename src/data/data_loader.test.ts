import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import './index.js';
import type { DetBatch } from '../structures/det_types.js';
import { smallTrainPipeline, tempDir, writeImage, writeTinyCoco } from '../testing/data.js';
import { buildDataset } from './builder.js';
import { buildDataloader, type DataLoader, type DataLoaderOptions } from './data_loader.js';

let cfg: { type: string; [k: string]: unknown };
let dir = '';
const loaders: DataLoader[] = [];

beforeAll(async () => {
  dir = tempDir();
  // 14 images in two aspect groups: 6 batches of 3 per epoch, more than the 3 slots of 2 workers
  // with prefetch 1 (2 in flight + 1 held), so every slot is refilled several times; landscape
  // widths differ, so refilled batches have padding over stale pixels.
  const images = Array.from({ length: 14 }, (_, i) => ({
    w: i % 3 === 0 ? 40 : 48 + (i % 4) * 16,
    h: i % 3 === 0 ? 60 : 40,
    objects: [{ cls: i % 2, bbox: [4 + i, 5, 12, 10] as [number, number, number, number] }],
  }));
  const c = await writeTinyCoco(dir, images);
  cfg = { type: 'CocoDataset', ann_file: c.annFile, img_prefix: c.imgPrefix, classes: c.classes, pipeline: smallTrainPipeline([64, 48], true) };
});
afterAll(async () => {
  await Promise.all(loaders.map((l) => l.close()));
});

function loader(options: Partial<DataLoaderOptions>): DataLoader {
  const dl = buildDataloader(buildDataset(cfg), { samples_per_gpu: 3, seed: 4, ...options });
  loaders.push(dl);
  return dl;
}

/** What a consumer can see of a batch while it holds it (the pixels are copied). */
function snapshot(b: DetBatch): unknown {
  return { shape: b.imgShape, img: Array.from(b.img), files: b.samples.map((s) => s.meta.ori_filename), boxes: b.samples.map((s) => Array.from(s.gt_bboxes ?? [])) };
}

async function epochOf(dl: DataLoader, epoch: number): Promise<unknown[]> {
  dl.setEpoch(epoch);
  const out: unknown[] = [];
  for await (const b of dl) out.push(snapshot(b));
  return out;
}

describe('DataLoader buffer recycling (recycle_buffers)', () => {
  it('defaults: on for a runner’s loader (runner_type given), off otherwise', () => {
    expect(loader({}).recycle_buffers).toBe(false);
    expect(loader({ runner_type: 'EpochBasedRunner' }).recycle_buffers).toBe(true);
    expect(loader({ runner_type: 'EpochBasedRunner', recycle_buffers: false }).recycle_buffers).toBe(false);
  });

  it('refilled slots give the same batches as 0 workers, epoch after epoch; a batch is empty once the next is asked for', async () => {
    const ref = loader({ workers_per_gpu: 0 });
    const rec = loader({ workers_per_gpu: 2, prefetch_factor: 1, recycle_buffers: true });
    for (const epoch of [0, 1, 2]) {
      const want = await epochOf(ref, epoch);
      rec.setEpoch(epoch);
      const got: unknown[] = [];
      let prev: DetBatch | null = null;
      for await (const b of rec) {
        // the previous batch was recycled when this one was asked for
        if (prev !== null) expect(prev.img.length).toBe(0);
        expect(b.img.length).toBe(b.imgShape.reduce((a, v) => a * v, 1));
        got.push(snapshot(b));
        prev = b;
      }
      expect(got).toEqual(want);
    }
    // 2 workers × prefetch 1 in flight + the consumer's batch: three slots, whatever the epochs
    expect((rec as unknown as { slots: unknown[] }).slots.length).toBeLessThanOrEqual(3);
  });

  it('a batch kept after `break` stays valid, is recycled explicitly or by the next pass, and later batches are unchanged', async () => {
    const ref = loader({ workers_per_gpu: 0 });
    const want = await epochOf(ref, 3);
    const rec = loader({ workers_per_gpu: 1, recycle_buffers: true });
    rec.setEpoch(3);
    let kept: DetBatch | null = null;
    for await (const b of rec) {
      kept = b;
      break;
    }
    expect(snapshot(kept!)).toEqual(want[0]);
    rec.recycle(kept!);
    expect(kept!.img.length).toBe(0);
    rec.recycle(kept!); // a second recycle (the buffer already went back) changes nothing
    // keep the second batch of a pass, then start a new pass: it takes the slot back
    let second: DetBatch | null = null;
    let k = 0;
    for await (const b of rec) {
      if (k++ === 1) {
        second = b;
        break;
      }
    }
    expect(snapshot(second!)).toEqual(want[1]);
    expect(await epochOf(rec, 3)).toEqual(want);
    expect(second!.img.length).toBe(0);
  });

  it('without persistent workers, new workers get the slots: still the 0-worker batches', async () => {
    const ref = loader({ workers_per_gpu: 0 });
    const rec = loader({ workers_per_gpu: 1, prefetch_factor: 1, recycle_buffers: true, persistent_workers: false });
    for (const epoch of [5, 6]) expect(await epochOf(rec, epoch)).toEqual(await epochOf(ref, epoch));
  });

  it('a corrupt image still names the file, and its slot is freed for the next pass', async () => {
    const rec = loader({ workers_per_gpu: 2, prefetch_factor: 1, recycle_buffers: true, shuffle: false });
    const want = await epochOf(loader({ workers_per_gpu: 0, shuffle: false }), 0);
    writeFileSync(join(dir, 'img', '4.png'), 'garbage');
    let err: unknown;
    try {
      for await (const _ of rec) void _;
    } catch (e) {
      err = e;
    } finally {
      await writeImage(join(dir, 'img', '4.png'), 48, 40, () => [1, 2, 3]);
    }
    expect((err as { code?: string }).code).toBe('DATA_PIPELINE_FAILED');
    expect((err as { file?: string }).file).toBe(join(dir, 'img', '4.png'));
    // the restored image differs from the original pixels: compare everything but batch 1 (images 3-5)
    const got = await epochOf(rec, 0);
    expect(got.length).toBe(want.length);
    for (const k of [0, 2, 3]) expect(got[k]).toEqual(want[k]);
    expect((rec as unknown as { slots: unknown[] }).slots.length).toBeLessThanOrEqual(3);
  });

  it('recycle() ignores batches it did not load in a worker (0 workers, recycling off)', async () => {
    for (const dl of [loader({ workers_per_gpu: 0, recycle_buffers: true }), loader({ workers_per_gpu: 1, recycle_buffers: false })]) {
      const held: DetBatch[] = [];
      for await (const b of dl) held.push(b);
      for (const b of held) dl.recycle(b);
      expect(held.every((b) => b.img.length === b.imgShape.reduce((a, v) => a * v, 1))).toBe(true);
    }
  });
});

describe('DataLoader num_gpus (mmdet build_dataloader, non-distributed)', () => {
  it('a batch feeds every device: samples_per_gpu × num_gpus images, workers × num_gpus, GroupSampler groups by samples_per_gpu', async () => {
    // 5 portrait + 9 landscape images; GroupSampler(2) pads the groups to 6 + 10 = 16 samples
    // (GroupSampler(4) would pad to 8 + 12 = 20), then batches of 2 × 2 = 4.
    const dl = loader({ samples_per_gpu: 2, num_gpus: 2, workers_per_gpu: 1 });
    expect(dl.batch_size).toBe(4);
    expect(dl.num_workers).toBe(2);
    expect(dl.sampler.length).toBe(16);
    expect(dl.length).toBe(4);
    const sizes: number[] = [];
    for await (const b of dl) sizes.push(b.imgShape[0]);
    expect(sizes).toEqual([4, 4, 4, 4]);
    expect(() => loader({ num_gpus: 0 })).toThrow(/num_gpus must be a positive integer/);
  });
});
