/**
 * @module Port of `configs/atss/atss_r50_fpn_1x_coco.py` @ mmdetection v2.28.2: ATSS with
 * ResNet-50 + FPN P3-P7, one square anchor per location, GIoU box loss and a centerness branch
 * (COCO box AP 39.4 in mmdet's model zoo).
 */
import type { DetConfig } from '../../src/config/index.js';

export default {
  _base_: ['../_base_/datasets/coco_detection.ts', '../_base_/schedules/schedule_1x.ts', '../_base_/default_runtime.ts'],
  model: {
    type: 'ATSS',
    backbone: {
      type: 'ResNet',
      depth: 50,
      num_stages: 4,
      out_indices: [0, 1, 2, 3],
      frozen_stages: 1,
      norm_cfg: { type: 'BN', requires_grad: true },
      norm_eval: true,
      style: 'pytorch',
      init_cfg: { type: 'Pretrained', checkpoint: 'torchvision://resnet50' },
    },
    neck: {
      type: 'FPN',
      in_channels: [256, 512, 1024, 2048],
      out_channels: 256,
      start_level: 1,
      add_extra_convs: 'on_output',
      num_outs: 5,
    },
    bbox_head: {
      type: 'ATSSHead',
      num_classes: 80,
      in_channels: 256,
      stacked_convs: 4,
      feat_channels: 256,
      anchor_generator: { type: 'AnchorGenerator', ratios: [1.0], octave_base_scale: 8, scales_per_octave: 1, strides: [8, 16, 32, 64, 128] },
      bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0.0, 0.0, 0.0, 0.0], target_stds: [0.1, 0.1, 0.2, 0.2] },
      loss_cls: { type: 'FocalLoss', use_sigmoid: true, gamma: 2.0, alpha: 0.25, loss_weight: 1.0 },
      loss_bbox: { type: 'GIoULoss', loss_weight: 2.0 },
      loss_centerness: { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 },
    },
    // training and testing settings
    train_cfg: {
      assigner: { type: 'ATSSAssigner', topk: 9 },
      allowed_border: -1,
      pos_weight: -1,
      debug: false,
    },
    test_cfg: {
      nms_pre: 1000,
      min_bbox_size: 0,
      score_thr: 0.05,
      nms: { type: 'nms', iou_threshold: 0.6 },
      max_per_img: 100,
    },
  },
  // optimizer
  optimizer: { type: 'SGD', lr: 0.01, momentum: 0.9, weight_decay: 0.0001 },
} satisfies DetConfig;
