/**
 * End to end: `detkit test` with a flip test-time augmentation (MultiScaleFlipAug, `flip=True`) on
 * tiny randomly initialised shapes Faster R-CNN and Mask R-CNN checkpoints: the loader carries both
 * augmentations of each image, `single_gpu_test` merges them with the two-stage `aug_test`, the
 * boxes (and masks) lie in original-image pixels, and bbox (and segm) evaluation runs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import '../src/register_all.js';
import { initDetector, testFromConfig } from '../src/apis/index.js';
import { main } from '../src/cli/main.js';
import { saveCheckpoint } from '../src/engine/checkpoint/checkpoint.js';
import type { TrainableModel } from '../src/engine/types.js';

const ROOT = resolve(import.meta.dirname, '..');
const SIZE = 64;
const NORM = { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], to_rgb: true };
const CLASSES = ['circle', 'square', 'triangle', 'star', 'hexagon'];

/** The shapes config at toy widths with a flip TTA test pipeline. */
function tinyConfig(dir: string, withMask: boolean): string {
  const file = join(dir, `${withMask ? 'mask' : 'faster'}_tta.json`);
  const shapes = { data_root: join(dir, 'shapes/'), auto_generate: { kind: 'shapes', train: 2, val: 3, seed: 1, size: SIZE } };
  const test_pipeline = [
    { type: 'LoadImageFromFile' },
    {
      type: 'MultiScaleFlipAug', img_scale: [SIZE, SIZE], flip: true,
      transforms: [{ type: 'Resize', keep_ratio: true }, { type: 'RandomFlip' }, { type: 'Normalize', ...NORM }, { type: 'Pad', size_divisor: 32 }, { type: 'ImageToTensor', keys: ['img'] }, { type: 'Collect', keys: ['img'] }],
    },
  ];
  const extractor = (size: number) => ({ type: 'SingleRoIExtractor', roi_layer: { type: 'RoIAlign', output_size: size, sampling_ratio: 0 }, out_channels: 16, featmap_strides: [4, 8, 16, 32] });
  const roi_head: Record<string, unknown> = { bbox_roi_extractor: extractor(7), bbox_head: { in_channels: 16, fc_out_channels: 32 } };
  if (withMask) Object.assign(roi_head, { mask_roi_extractor: extractor(14), mask_head: { num_convs: 1, in_channels: 16, conv_out_channels: 16 } });
  const cfg = {
    _base_: join(ROOT, `configs/shapes/${withMask ? 'mask' : 'faster'}_rcnn_r18_fpn_shapes.ts`),
    gpu_ids: [0],
    model: {
      backbone: { base_channels: 8 },
      neck: { in_channels: [8, 16, 32, 64], out_channels: 16 },
      rpn_head: { in_channels: 16, feat_channels: 16 },
      roi_head,
      test_cfg: { rpn: { nms_pre: 100, max_per_img: 50 }, rcnn: { score_thr: 0.0, max_per_img: 20 } },
    },
    data: { samples_per_gpu: 2, workers_per_gpu: 0, train: shapes, val: { ...shapes, pipeline: test_pipeline }, test: { ...shapes, pipeline: test_pipeline } },
  };
  writeFileSync(file, JSON.stringify(cfg));
  return file;
}

describe.each([false, true])('detkit test with flip TTA on a tiny two-stage detector (withMask=%s)', (withMask) => {
  let config: string;
  let ckpt: string;
  const quiet = { log: () => {}, progressStream: { write: () => true, isTTY: false } as unknown as NodeJS.WritableStream };

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'detkit-tta2-'));
    config = tinyConfig(dir, withMask);
    const model = await initDetector(config);
    model.CLASSES = CLASSES;
    ckpt = join(dir, 'tiny.safetensors');
    await saveCheckpoint(model as unknown as TrainableModel, ckpt);
    model.dispose();
  }, 120_000);

  it('merges both augmentations: boxes in original pixels, evaluation runs, the CLI exits 0', async () => {
    const metric = withMask ? ['bbox', 'segm'] : ['bbox'];
    const { results, metrics } = await testFromConfig({ config, checkpoint: ckpt, eval: metric, ...quiet });
    expect(results).toHaveLength(3);
    for (const r of results) {
      expect(r.bbox).toHaveLength(CLASSES.length);
      const n = r.bbox.reduce((s, a) => s + a.length / 5, 0);
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(20);
      for (const a of r.bbox) for (let i = 0; i < a.length; i += 5) for (let k = 0; k < 4; k++) expect(a[i + k]! >= 0 && a[i + k]! <= SIZE + 1e-3).toBe(true);
      if (withMask) {
        r.bbox.forEach((a, c) => expect(r.segm![c]).toHaveLength(a.length / 5));
        // at the original image's size (shapes images are at most SIZE on a side)
        const rles = r.segm!.flat();
        expect(rles.length).toBeGreaterThan(0);
        for (const rle of rles) {
          expect(rle.size).toEqual(rles[0]!.size);
          expect(Math.max(...rle.size)).toBeLessThanOrEqual(SIZE);
          expect((rle.counts as number[]).reduce((t, v) => t + v, 0)).toBe(rle.size[0] * rle.size[1]);
        }
      }
    }
    expect(typeof metrics!.bbox_mAP).toBe('number');
    if (withMask) expect(typeof metrics!.segm_mAP).toBe('number');
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['test', config, ckpt, '--eval', ...metric])).toBe(0);
    } finally {
      spy.mockRestore();
    }
  }, 180_000);
});
