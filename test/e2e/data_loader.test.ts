/**
 * The loader end to end: deterministic batches with 0 and 2 worker threads, errors that name the
 * image and transform without stalling, shapes of the collated NHWC batch.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/data/index.js';
import { buildDataset, buildDataloader, type DataLoader } from '../../src/data/index.js';
import type { DetBatch } from '../../src/structures/det_types.js';
import type { DataLoaderLike } from '../../src/engine/types.js';
import { smallTrainPipeline, tempDir, writeTinyCoco } from '../../src/testing/data.js';

let dir = '';
let cfg: { type: string; [k: string]: unknown };
const loaders: DataLoader[] = [];

beforeAll(async () => {
  dir = tempDir();
  const images = Array.from({ length: 10 }, (_, i) => ({
    w: i % 3 === 0 ? 40 : 64,
    h: i % 3 === 0 ? 60 : 40,
    objects: [{ cls: i % 2, bbox: [4 + i, 5, 12, 10] as [number, number, number, number] }],
  }));
  const c = await writeTinyCoco(dir, images);
  cfg = { type: 'CocoDataset', ann_file: c.annFile, img_prefix: c.imgPrefix, classes: c.classes, pipeline: smallTrainPipeline([64, 48], true) };
});
afterAll(async () => {
  await Promise.all(loaders.map((l) => l.close()));
});

async function collect(workers: number, seed: number, epoch = 0): Promise<DetBatch[]> {
  const dl = buildDataloader(buildDataset(cfg), { samples_per_gpu: 3, workers_per_gpu: workers, seed });
  loaders.push(dl);
  dl.setEpoch(epoch);
  const out: DetBatch[] = [];
  for await (const b of dl) out.push(b);
  return out;
}

function digest(batches: DetBatch[]): unknown {
  return batches.map((b) => ({
    shape: b.imgShape,
    sum: b.img.reduce((a, v, i) => a + v * ((i % 97) + 1), 0),
    files: b.samples.map((s) => s.meta.ori_filename),
    flips: b.samples.map((s) => s.meta.flip),
    boxes: b.samples.map((s) => Array.from(s.gt_bboxes ?? [])),
    masks: b.samples.map((s) => (s.gt_masks?.kind === 'bitmap' ? s.gt_masks.masks.map((m) => m.reduce((a, v) => a + v, 0)) : [])),
  }));
}

describe('DataLoader', () => {
  it('is a DataLoaderLike of DetBatch for the runner (compile-time check)', () => {
    const dl: DataLoaderLike<DetBatch> = buildDataloader(buildDataset(cfg), { samples_per_gpu: 2 });
    expect(dl.length).toBe(5); // GroupSampler, spg 2: 4 portrait → 2 batches, 6 landscape → 3
  });

  it('an empty dataset (classes not in the json) is an error with a hint, not a silent 0-iteration epoch', () => {
    const warn = process.emitWarning;
    process.emitWarning = () => undefined;
    try {
      expect(() => buildDataloader(buildDataset({ ...cfg, classes: ['nope'] }), { samples_per_gpu: 2 })).toThrow(/no images .* after filtering/);
    } finally {
      process.emitWarning = warn;
    }
  });

  it('collates NHWC float32 batches padded to the size divisor, one aspect group per batch', async () => {
    const batches = await collect(0, 1);
    // GroupSampler: 4 portrait → 6, 6 landscape → 6: 12 samples, 4 batches of 3
    expect(batches.length).toBe(4);
    for (const b of batches) {
      const [n, h, w, c] = b.imgShape;
      expect(n).toBe(3);
      expect(c).toBe(3);
      expect(h % 32).toBe(0);
      expect(w % 32).toBe(0);
      expect(b.img.length).toBe(n * h * w * c);
      const portrait = b.samples.map((s) => s.meta.ori_shape[0] > s.meta.ori_shape[1]);
      expect(new Set(portrait).size).toBe(1);
      for (const s of b.samples) {
        expect(s.meta.batch_input_shape).toEqual([h, w]);
        expect(s.meta.scale_factor).toHaveLength(4);
      }
    }
  });

  it('same seed → identical batches with 0 and 2 workers; another epoch or seed differs', async () => {
    const a = digest(await collect(0, 7));
    const b = digest(await collect(2, 7));
    expect(b).toEqual(a);
    expect(digest(await collect(0, 7, 1))).not.toEqual(a);
    expect(digest(await collect(0, 8))).not.toEqual(a);
  });

  it("mmdet's test pipeline (MultiScaleFlipAug, ImageToTensor) collates in order with test metas", async () => {
    const testCfg = {
      ...cfg,
      test_mode: true,
      pipeline: [
        { type: 'LoadImageFromFile' },
        {
          type: 'MultiScaleFlipAug',
          img_scale: [64, 48],
          flip: false,
          transforms: [
            { type: 'Resize', keep_ratio: true },
            { type: 'RandomFlip' },
            { type: 'Normalize', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], to_rgb: true },
            { type: 'Pad', size_divisor: 32 },
            { type: 'ImageToTensor', keys: ['img'] },
            { type: 'Collect', keys: ['img'] },
          ],
        },
      ],
    };
    const dl = buildDataloader(buildDataset(testCfg), { samples_per_gpu: 1, workers_per_gpu: 0, shuffle: false });
    const files: string[] = [];
    for await (const b of dl) {
      const m = b.samples[0]!.meta;
      files.push(m.ori_filename);
      expect(m.flip).toBe(false);
      expect(b.imgShape[1] % 32).toBe(0);
      // keep_ratio into (64, 48): f = min(64 / long, 48 / short); 64x40 → f = 1; 40x60 → f = 64/60,
      // w = int(40 * 1.0667 + 0.5) = 43, h = 64
      expect(m.img_shape).toEqual(m.ori_shape[0] > m.ori_shape[1] ? [64, 43, 3] : [40, 64, 3]);
      expect(b.samples[0]!.gt_bboxes).toBeUndefined();
    }
    expect(files).toEqual(Array.from({ length: 10 }, (_, i) => `${i}.png`));
  });

  it('a YOLOX-style Mosaic/RandomAffine/MixUp pipeline gives identical batches with 0 and 2 workers', async () => {
    const mixCfg = {
      type: 'MultiImageMixDataset',
      dataset: { ...cfg, pipeline: [{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations' }] },
      pipeline: [
        { type: 'Mosaic', img_scale: [64, 64], pad_val: 114 },
        { type: 'RandomAffine', scaling_ratio_range: [0.5, 1.5], border: [-32, -32] },
        { type: 'MixUp', img_scale: [64, 64], ratio_range: [0.8, 1.6], pad_val: 114 },
        { type: 'YOLOXHSVRandomAug' },
        { type: 'RandomFlip', flip_ratio: 0.5 },
        { type: 'Resize', img_scale: [64, 64], keep_ratio: true },
        { type: 'Pad', pad_to_square: true, pad_val: { img: [114, 114, 114] } },
        { type: 'DefaultFormatBundle' },
        { type: 'Collect', keys: ['img', 'gt_bboxes', 'gt_labels'] },
      ],
    };
    const run = async (workers: number): Promise<unknown> => {
      const dl = buildDataloader(buildDataset(mixCfg), { samples_per_gpu: 2, workers_per_gpu: workers, seed: 5 });
      loaders.push(dl);
      const out: DetBatch[] = [];
      for await (const b of dl) out.push(b);
      return digest(out);
    };
    const a = await run(0);
    expect(await run(2)).toEqual(a);
  });

  it('MultiImageMixDataset skip_type_keys changes reach persistent workers', async () => {
    const mixCfg = {
      type: 'MultiImageMixDataset',
      dataset: { ...cfg, pipeline: [{ type: 'LoadImageFromFile' }, { type: 'LoadAnnotations' }, { type: 'Resize', img_scale: [64, 48] }] },
      pipeline: [
        { type: 'RandomFlip', flip_ratio: 1.0 },
        { type: 'Pad', size_divisor: 32 },
        { type: 'DefaultFormatBundle' },
        { type: 'Collect', keys: ['img', 'gt_bboxes'], meta_keys: ['filename', 'ori_filename', 'ori_shape', 'img_shape', 'pad_shape', 'scale_factor'] },
      ],
    };
    const boxes = async (workers: number, skip: string[] | null): Promise<number[][]> => {
      const ds = buildDataset(mixCfg) as unknown as { update_skip_type_keys(k: string[] | null): void };
      const dl = buildDataloader(ds as never, { samples_per_gpu: 2, workers_per_gpu: workers, shuffle: false, persistent_workers: true });
      loaders.push(dl);
      const out: number[][] = [];
      for await (const b of dl) for (const s of b.samples) out.push(Array.from(s.gt_bboxes!));
      ds.update_skip_type_keys(skip);
      for await (const b of dl) for (const s of b.samples) out.push(Array.from(s.gt_bboxes!));
      return out;
    };
    const withWorkers = await boxes(2, ['RandomFlip']);
    const inThread = await boxes(0, ['RandomFlip']);
    expect(withWorkers).toEqual(inThread);
    expect(withWorkers.slice(0, 10)).not.toEqual(withWorkers.slice(10)); // flipped, then not
  });

  it('workers also start when detkit runs through tsx register() (as bin/detkit.mjs does)', () => {
    const repo = resolve(import.meta.dirname, '../..');
    const script = [
      "import { register } from 'tsx/esm/api';",
      'register();',
      `const m = await import(${JSON.stringify(join(repo, 'src/data/index.ts'))});`,
      `const ds = m.buildDataset(${JSON.stringify(cfg)});`,
      'const dl = m.buildDataloader(ds, { samples_per_gpu: 2, workers_per_gpu: 2, seed: 3 });',
      'let n = 0; for await (const b of dl) n += b.imgShape[0];',
      'await dl.close();',
      "process.stdout.write('images=' + n);",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.stdout).toBe('images=10'); // GroupSampler, spg 2: groups of 4 and 6
  });

  it('a worker that dies rejects its batches with DATA_WORKER_DIED instead of hanging', async () => {
    const plugin = join(dir, 'crash_plugin.ts');
    const root = new URL('../../src/registry/root.ts', import.meta.url).pathname;
    writeFileSync(
      plugin,
      `import { PIPELINES } from ${JSON.stringify(root)};\n` +
        `class Crash { static readonly type = 'Crash'; apply(r: { img_info: { filename: string } }) { if (r.img_info.filename === '5.png') process.exit(3); return r; } toString() { return 'Crash'; } }\n` +
        `if (!PIPELINES.has('Crash')) PIPELINES.register('Crash', Crash);\n`,
    );
    await import(plugin);
    const crashCfg = { ...cfg, pipeline: [{ type: 'Crash' }, ...smallTrainPipeline([64, 48])] };
    const dl = buildDataloader(buildDataset(crashCfg), { samples_per_gpu: 2, workers_per_gpu: 2, shuffle: false, worker_imports: [plugin] });
    loaders.push(dl);
    const t0 = Date.now();
    let err: unknown;
    try {
      for await (const _ of dl) void _;
    } catch (e) {
      err = e;
    }
    expect((err as { code?: string }).code).toBe('DATA_WORKER_DIED');
    expect((err as Error).message).toMatch(/loader worker \d stopped: exit code 3/);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('a corrupt image in a worker rejects with the file and transform, and does not stall', async () => {
    writeFileSync(join(dir, 'img', '3.png'), 'garbage');
    try {
      for (const workers of [0, 2]) {
        const dl = buildDataloader(buildDataset(cfg), { samples_per_gpu: 2, workers_per_gpu: workers, shuffle: false });
        loaders.push(dl);
        let err: unknown;
        try {
          for await (const _ of dl) void _;
        } catch (e) {
          err = e;
        }
        expect((err as { code?: string }).code).toBe('DATA_PIPELINE_FAILED');
        expect((err as Error).message).toMatch(/LoadImageFromFile failed on .*3\.png/);
        expect((err as { file?: string }).file).toBe(join(dir, 'img', '3.png'));
        expect((err as { cause?: { code?: string } }).cause?.code).toBe('DATA_IMAGE_DECODE');
      }
    } finally {
      // restore for other tests
      const { writeImage } = await import('../../src/testing/data.js');
      await writeImage(join(dir, 'img', '3.png'), 40, 60, () => [1, 2, 3]);
    }
  });
});
