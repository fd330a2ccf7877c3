/**
 * End to end: `detkit test` with a test pipeline of several augmentations (MultiScaleFlipAug with two
 * scales and flip=True) on a tiny RetinaNet checkpoint: the loader carries the four augmentations of
 * each image (`DetBatch.augs`, also through a loader worker), `single_gpu_test` merges them with
 * `aug_test`, and evaluation runs on the merged boxes, which lie in original-image pixels.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import '../../src/register_all.js';
import { initDetector, testFromConfig } from '../../src/apis/index.js';
import { main } from '../../src/cli/main.js';
import { buildDataloader, buildDataset } from '../../src/data/index.js';
import { saveCheckpoint } from '../../src/engine/checkpoint/checkpoint.js';
import type { TrainableModel } from '../../src/engine/types.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SIZE = 64;
const norm = { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], to_rgb: true };

function ttaPipeline(scales: Array<[number, number]>, flip: boolean): unknown[] {
  return [
    { type: 'LoadImageFromFile' },
    {
      type: 'MultiScaleFlipAug',
      img_scale: scales,
      flip,
      transforms: [
        { type: 'Resize', keep_ratio: true },
        { type: 'RandomFlip' },
        { type: 'Normalize', ...norm },
        { type: 'Pad', size_divisor: 32 },
        { type: 'ImageToTensor', keys: ['img'] },
        { type: 'Collect', keys: ['img'] },
      ],
    },
  ];
}

function tinyConfig(dir: string, name: string, workers: number): string {
  const file = join(dir, `${name}.json`);
  const shapes = { data_root: join(dir, 'shapes/'), auto_generate: { kind: 'shapes', train: 2, val: 3, seed: 1, size: SIZE } };
  const cfg = {
    _base_: join(ROOT, 'configs/shapes/retinanet_r18_fpn_shapes.ts'),
    gpu_ids: [0], // one device: the shapes config trains on two
    model: {
      backbone: { base_channels: 8 },
      neck: { in_channels: [16, 32, 64], out_channels: 16 },
      bbox_head: { in_channels: 16, feat_channels: 16, stacked_convs: 1, norm_cfg: { type: 'GN', num_groups: 4, requires_grad: true } },
      test_cfg: { score_thr: 0.0, max_per_img: 20 },
    },
    data: { samples_per_gpu: 1, workers_per_gpu: workers, train: shapes, val: shapes, test: { ...shapes, pipeline: ttaPipeline([[SIZE, SIZE], [96, 96]], true) } },
  };
  writeFileSync(file, JSON.stringify(cfg));
  return file;
}

describe('detkit test with a 2-scale + flip test pipeline (tiny RetinaNet)', () => {
  let dir: string;
  let config: string;
  let ckpt: string;
  const quiet = { log: () => {}, progressStream: { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'detkit-tta-'));
    config = tinyConfig(dir, 'tta', 0);
    const model = await initDetector(config);
    model.CLASSES = ['circle', 'square', 'triangle', 'star', 'hexagon'];
    ckpt = join(dir, 'tiny.safetensors');
    await saveCheckpoint(model as unknown as TrainableModel, ckpt);
    model.dispose();
  }, 120_000);

  it('the test loader yields the four augmentations of each image with their metas', async () => {
    const cfg = JSON.parse(readFileSync(config, 'utf8')) as { data: { test: Record<string, unknown> } };
    const dataset = buildDataset({ type: 'CocoDataset', classes: ['circle', 'square', 'triangle', 'star', 'hexagon'], ann_file: 'annotations/instances_val.json', img_prefix: 'val/', ...cfg.data.test } as never, { test_mode: true });
    const loader = buildDataloader(dataset, { samples_per_gpu: 1, workers_per_gpu: 1, shuffle: false });
    try {
      let n = 0;
      for await (const b of loader) {
        expect(b.augs).toHaveLength(4);
        const metas = b.augs!.map((a) => a.samples[0]!.meta);
        expect(metas.map((m) => [Math.max(m.img_shape[0], m.img_shape[1]), m.flip])).toEqual([[64, false], [64, true], [96, false], [96, true]]);
        // keep_ratio: the second scale is about 1.5x the first (64 → 96 on the longer side, sizes rounded)
        expect(metas[2]!.scale_factor[0] / metas[0]!.scale_factor[0]).toBeCloseTo(1.5, 1);
        expect(metas[1]!.scale_factor).toEqual(metas[0]!.scale_factor);
        expect(b.augs![3]!.imgShape[1]).toBe(96);
        // the batch's own fields are the first augmentation's
        expect(b.img).toEqual(b.augs![0]!.img);
        n++;
      }
      expect(n).toBe(3);
    } finally {
      await loader.close();
    }
  }, 60_000);

  it('runs aug_test: boxes in original pixels, bbox evaluation, the CLI exits 0', async () => {
    const { results, metrics } = await testFromConfig({ config, checkpoint: ckpt, eval: ['bbox'], ...quiet });
    expect(results).toHaveLength(3);
    for (const r of results) {
      expect(r.bbox).toHaveLength(5);
      const n = r.bbox.reduce((s, a) => s + a.length / 5, 0);
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(20);
      for (const a of r.bbox) for (let i = 0; i < a.length; i += 5) for (let k = 0; k < 4; k++) expect(a[i + k]! >= 0 && a[i + k]! <= SIZE + 1e-3).toBe(true);
    }
    expect(metrics).not.toBeNull();
    expect(typeof metrics!.bbox_mAP).toBe('number');
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['test', tinyConfig(dir, 'tta_worker', 1), ckpt, '--eval', 'bbox'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
  }, 120_000);
});
