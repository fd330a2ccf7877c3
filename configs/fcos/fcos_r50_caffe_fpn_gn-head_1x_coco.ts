/**
 * @module Port of `configs/fcos/fcos_r50_caffe_fpn_gn-head_1x_coco.py` @ mmdetection v2.28.2:
 * FCOS with a caffe-style ResNet-50 (frozen BN, BGR caffe normalisation), FPN P3-P7 (extra levels
 * from P5), GN in the head (FCOSHead's default), constant warmup and gradient clipping
 * (COCO box AP 36.6 in mmdet's model zoo).
 */
import type { DetConfig } from '../../src/config/index.js';

const img_norm_cfg = { mean: [102.9801, 115.9465, 122.7717], std: [1.0, 1.0, 1.0], to_rgb: false };
const train_pipeline = [
  { type: 'LoadImageFromFile' },
  { type: 'LoadAnnotations', with_bbox: true },
  { type: 'Resize', img_scale: [1333, 800], keep_ratio: true },
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
    img_scale: [1333, 800],
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
  _base_: ['../_base_/datasets/coco_detection.ts', '../_base_/schedules/schedule_1x.ts', '../_base_/default_runtime.ts'],
  // model settings
  model: {
    type: 'FCOS',
    backbone: {
      type: 'ResNet',
      depth: 50,
      num_stages: 4,
      out_indices: [0, 1, 2, 3],
      frozen_stages: 1,
      norm_cfg: { type: 'BN', requires_grad: false },
      norm_eval: true,
      style: 'caffe',
      init_cfg: { type: 'Pretrained', checkpoint: 'open-mmlab://detectron/resnet50_caffe' },
    },
    neck: {
      type: 'FPN',
      in_channels: [256, 512, 1024, 2048],
      out_channels: 256,
      start_level: 1,
      add_extra_convs: 'on_output', // use P5
      num_outs: 5,
      relu_before_extra_convs: true,
    },
    bbox_head: {
      type: 'FCOSHead',
      num_classes: 80,
      in_channels: 256,
      stacked_convs: 4,
      feat_channels: 256,
      strides: [8, 16, 32, 64, 128],
      loss_cls: { type: 'FocalLoss', use_sigmoid: true, gamma: 2.0, alpha: 0.25, loss_weight: 1.0 },
      loss_bbox: { type: 'IoULoss', loss_weight: 1.0 },
      loss_centerness: { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 },
    },
    // training and testing settings
    train_cfg: {
      assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.5, neg_iou_thr: 0.4, min_pos_iou: 0, ignore_iof_thr: -1 },
      allowed_border: -1,
      pos_weight: -1,
      debug: false,
    },
    test_cfg: {
      nms_pre: 1000,
      min_bbox_size: 0,
      score_thr: 0.05,
      nms: { type: 'nms', iou_threshold: 0.5 },
      max_per_img: 100,
    },
  },
  img_norm_cfg,
  train_pipeline,
  test_pipeline,
  data: {
    samples_per_gpu: 2,
    workers_per_gpu: 2,
    train: { pipeline: train_pipeline },
    val: { pipeline: test_pipeline },
    test: { pipeline: test_pipeline },
  },
  // optimizer
  optimizer: { lr: 0.01, paramwise_cfg: { bias_lr_mult: 2.0, bias_decay_mult: 0.0 } },
  optimizer_config: { _delete_: true, grad_clip: { max_norm: 35, norm_type: 2 } },
  // learning policy
  lr_config: { policy: 'step', warmup: 'constant', warmup_iters: 500, warmup_ratio: 1.0 / 3, step: [8, 11] },
  runner: { type: 'EpochBasedRunner', max_epochs: 12 },
} satisfies DetConfig;
