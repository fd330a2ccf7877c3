/**
 * @module Mask R-CNN on the built-in `shapes` dataset: `faster_rcnn_r18_fpn_shapes.ts` plus
 * mmdet's FCN mask branch (14×14 RoIAlign → 4 convs → deconv ×2 → 28×28 per-class masks) at the
 * slim widths of that config. The shapes annotations carry polygons; `LoadAnnotations` loads them
 * as bitmaps (`with_mask`, `poly2mask` default) and `Collect` passes `gt_masks`; evaluation reports
 * `bbox` and `segm`.
 */
import type { DetConfig } from '../../src/config/index.js';

const img_norm_cfg = { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375], to_rgb: true };
const train_pipeline = [
  { type: 'LoadImageFromFile' },
  { type: 'LoadAnnotations', with_bbox: true, with_mask: true },
  { type: 'Resize', img_scale: [256, 256], keep_ratio: true },
  { type: 'RandomFlip', flip_ratio: 0.5 },
  { type: 'Normalize', ...img_norm_cfg },
  { type: 'Pad', size_divisor: 32 },
  { type: 'DefaultFormatBundle' },
  { type: 'Collect', keys: ['img', 'gt_bboxes', 'gt_labels', 'gt_masks'] },
];

export default {
  _base_: './faster_rcnn_r18_fpn_shapes.ts',
  train_pipeline,
  model: {
    type: 'MaskRCNN',
    roi_head: {
      mask_roi_extractor: {
        type: 'SingleRoIExtractor',
        roi_layer: { type: 'RoIAlign', output_size: 14, sampling_ratio: 0 },
        out_channels: 64,
        featmap_strides: [4, 8, 16, 32],
      },
      mask_head: {
        type: 'FCNMaskHead',
        num_convs: 4,
        in_channels: 64,
        conv_out_channels: 64,
        num_classes: 5,
        loss_mask: { type: 'CrossEntropyLoss', use_mask: true, loss_weight: 1.0 },
      },
    },
    train_cfg: { rcnn: { mask_size: 28 } },
    test_cfg: { rcnn: { mask_thr_binary: 0.5 } },
  },
  data: { train: { pipeline: train_pipeline } },
  evaluation: { interval: 1, metric: ['bbox', 'segm'] },
} satisfies DetConfig;
