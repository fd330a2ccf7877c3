/**
 * @module Workload `pipeline-coco-train`: mmdet's standard COCO train pipeline (LoadImageFromFile,
 * LoadAnnotations, Resize to (1333, 800) keep_ratio, RandomFlip 0.5, Normalize, Pad 32,
 * DefaultFormatBundle, Collect) over 32 `shapes` images (320 px), batch 2, with 0 loader workers.
 * One run = one epoch of 17 batches; images/s = 34 / (median_ms / 1000)
 * (GroupSampler pads the two aspect groups to even sizes: 34 samples per epoch).
 * `pipeline-coco-train-2w` is the same with 2 worker threads (target ≥ 1.7× on an idle 2-core machine).
 * The loader recycles batch images (`recycle_buffers: true`, as for a runner's loader): the loop
 * drops each batch before asking for the next. Workers persist across epochs
 * (`persistent_workers`, the loader's default, as in a training run): their start-up (tsx-compiled
 * imports, dataset build, JIT; the first epoch took ~0.7 s longer than the next ones) falls in the
 * untimed warm-up run, so a run measures the steady state a training run sees from its second epoch.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/data/index.js';
import { buildDataset, buildDataloader, ensureShapesDataset, type DataLoader } from '../../src/data/index.js';
import type { Workload } from '../workload.js';

/** Images per run. */
export const IMAGES = 32;

interface Ctx {
  loader: DataLoader;
  epoch: number;
}

/** The workload with `workers` loader threads. */
export function pipelineWorkload(name: string, workers: number): Workload<Ctx> {
  return {
    name,
    description: `COCO train pipeline to 1333x800 on ${IMAGES} shapes images, batch 2, ${workers} loader workers (one run = one epoch${workers > 0 ? '; persistent workers, started in the warm-up run' : ''})`,
    warmup: 1,
    runs: 5,
    async setup() {
      const root = join(tmpdir(), `detkit-bench-shapes-${IMAGES}`);
      ensureShapesDataset(root, { train: IMAGES, val: 0, seed: 0, size: 320 });
      const dataset = buildDataset({
        type: 'CocoDataset',
        data_root: root,
        ann_file: 'annotations/instances_train.json',
        img_prefix: 'train/',
        classes: ['circle', 'square', 'triangle', 'star', 'hexagon'],
        pipeline: [
          { type: 'LoadImageFromFile' },
          { type: 'LoadAnnotations', with_bbox: true },
          { type: 'Resize', img_scale: [1333, 800], keep_ratio: true },
          { type: 'RandomFlip', flip_ratio: 0.5 },
          { type: 'Normalize', mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], to_rgb: true },
          { type: 'Pad', size_divisor: 32 },
          { type: 'DefaultFormatBundle' },
          { type: 'Collect', keys: ['img', 'gt_bboxes', 'gt_labels'] },
        ],
      });
      const loader = buildDataloader(dataset, { samples_per_gpu: 2, workers_per_gpu: workers, seed: 0, persistent_workers: true, recycle_buffers: true });
      return { loader, epoch: 0 };
    },
    async run(ctx) {
      ctx.loader.setEpoch(ctx.epoch++);
      let n = 0;
      for await (const b of ctx.loader) n += b.imgShape[0];
      // GroupSampler pads each aspect group to a multiple of the batch size.
      if (n !== ctx.loader.sampler.length) throw new Error(`expected ${ctx.loader.sampler.length} images, got ${n}`);
    },
    async teardown(ctx) {
      await ctx.loader.close();
    },
  };
}

export default pipelineWorkload('pipeline-coco-train', 0);
