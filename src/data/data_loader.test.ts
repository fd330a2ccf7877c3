import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

describe('DataLoader workers: a shared request queue', () => {
  it('a batch stalled in one worker does not hold back the next ones: the free worker takes them', async () => {
    // MarkWorker records which worker ran the sample (`loaded_by` meta) and stalls on 0.png.
    const plugin = join(dir, 'mark_worker_plugin.ts');
    const root = new URL('../registry/root.ts', import.meta.url).pathname;
    writeFileSync(
      plugin,
      `import { isMainThread, workerData } from 'node:worker_threads';\n` +
        `import { PIPELINES } from ${JSON.stringify(root)};\n` +
        `class MarkWorker {\n` +
        `  static readonly type = 'MarkWorker';\n` +
        `  readonly stallMs: number;\n` +
        `  constructor(cfg: { stall_ms: number }) { this.stallMs = cfg.stall_ms; }\n` +
        `  apply(r: Record<string, unknown>) {\n` +
        `    r.loaded_by = isMainThread ? -1 : (workerData as { index: number }).index;\n` +
        `    if ((r.img_info as { filename: string }).filename === '0.png') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, this.stallMs);\n` +
        `    return r;\n` +
        `  }\n` +
        `  toString() { return 'MarkWorker'; }\n` +
        `}\n` +
        `if (!PIPELINES.has('MarkWorker')) PIPELINES.register('MarkWorker', MarkWorker);\n`,
    );
    await import(plugin);
    const pipeline = smallTrainPipeline([64, 48]);
    pipeline[pipeline.length - 1] = { type: 'Collect', keys: ['img', 'gt_bboxes', 'gt_labels'], meta_keys: ['filename', 'ori_filename', 'img_shape', 'loaded_by'] };
    const dl = buildDataloader(buildDataset({ ...cfg, pipeline: [{ type: 'MarkWorker', stall_ms: 1500 }, ...pipeline] }), {
      samples_per_gpu: 1,
      workers_per_gpu: 2,
      shuffle: false,
      worker_imports: [plugin],
    });
    loaders.push(dl);
    const loadedBy = async (): Promise<number[]> => {
      const out: number[] = [];
      for await (const b of dl) out.push(b.samples[0]!.meta.loaded_by as number);
      return out;
    };
    // Passes until both workers have started (each loaded a batch).
    let by = await loadedBy();
    for (let pass = 0; pass < 5 && new Set(by).size < 2; pass++) by = await loadedBy();
    expect(new Set(by)).toEqual(new Set([0, 1]));
    by = await loadedBy();
    // Batches 1-3 were requested while batch 0 stalled its worker for 1.5 s: the other worker
    // loaded them (a worker chosen at request time — k mod 2, or the fewest pending — gets batch 2).
    const stalled = by[0]!;
    expect(by.slice(1, 4)).toEqual([1 - stalled, 1 - stalled, 1 - stalled]);
    expect(by.length).toBe(14);
  });

  it('close() keeps the process alive until every worker has stopped', () => {
    const repo = resolve(import.meta.dirname, '../..');
    const script = [
      "import { register } from 'tsx/esm/api';",
      'register();',
      `const m = await import(${JSON.stringify(join(repo, 'src/data/index.ts'))});`,
      'for (let k = 0; k < 2; k++) {',
      `  const dl = m.buildDataloader(m.buildDataset(${JSON.stringify(cfg)}), { samples_per_gpu: 3, workers_per_gpu: 2, seed: 3 });`,
      '  let n = 0; for await (const b of dl) n += b.imgShape[0];',
      '  await dl.close();',
      "  process.stdout.write(`closed ${n};`);",
      '}',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toBe('closed 15;closed 15;');
    expect(r.status).toBe(0);
  });
});
