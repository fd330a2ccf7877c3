/**
 * @module detkit's built-in `shapes` dataset (COCO format, 5 classes), generated into
 * `data/shapes_2400/` on first use (`auto_generate`), so a fresh machine trains with no download.
 * Images are drawn at 192 px on the longer side and trained at that size. 2,400 training images:
 * with 800 the shapes RetinaNet overfitted (docs/schedules.md); the 100 val images do not depend on
 * the training count (each image is drawn from its own seed).
 */
import type { DetConfig } from '../../../src/config/index.js';

const dataset_type = 'CocoDataset';
// Named by its size: an existing folder made with other options is kept, not regenerated.
const data_root = 'data/shapes_2400/';
const classes = ['circle', 'square', 'triangle', 'star', 'hexagon'];
const auto_generate = { kind: 'shapes', train: 2400, val: 100, seed: 0, size: 192 };
const img_norm_cfg = { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], to_rgb: true };
const train_pipeline = [
  { type: 'LoadImageFromFile' },
  { type: 'LoadAnnotations', with_bbox: true },
  { type: 'Resize', img_scale: [192, 192], keep_ratio: true },
  { type: 'RandomFlip', flip_ratio: 0.5 },
  { type: 'Normalize', ...img_norm_cfg },
  { type: 'Pad', size_divisor: 32 },
  { type: 'DefaultFormatBundle' },
  { type: 'Collect', keys: ['img', 'gt_bboxes', 'gt_labels'] },
];
const test_pipeline = [
  { type: 'LoadImageFromFile' },
  {
    type: 'MultiScaleFlipAug',
    img_scale: [192, 192],
    flip: false,
    transforms: [
      { type: 'Resize', keep_ratio: true },
      { type: 'RandomFlip' },
      { type: 'Normalize', ...img_norm_cfg },
      { type: 'Pad', size_divisor: 32 },
      { type: 'ImageToTensor', keys: ['img'] },
      { type: 'Collect', keys: ['img'] },
    ],
  },
];

export default {
  dataset_type,
  data_root,
  classes,
  img_norm_cfg,
  train_pipeline,
  test_pipeline,
  data: {
    samples_per_gpu: 8,
    workers_per_gpu: 1,
    train: {
      type: dataset_type,
      classes,
      data_root,
      auto_generate,
      ann_file: 'annotations/instances_train.json',
      img_prefix: 'train/',
      pipeline: train_pipeline,
    },
    val: {
      type: dataset_type,
      classes,
      data_root,
      auto_generate,
      ann_file: 'annotations/instances_val.json',
      img_prefix: 'val/',
      pipeline: test_pipeline,
    },
    test: {
      type: dataset_type,
      classes,
      data_root,
      auto_generate,
      ann_file: 'annotations/instances_val.json',
      img_prefix: 'val/',
      pipeline: test_pipeline,
    },
  },
  evaluation: { interval: 1, metric: 'bbox' },
} satisfies DetConfig;
