/**
 * @module Faster R-CNN with a slim, randomly initialised ResNet-18 + FPN on the built-in `shapes`
 * dataset: the two-stage counterpart of `retinanet_r18_fpn_shapes.ts` (same backbone, data,
 * optimiser and schedule), sized to learn from scratch on 2 CPU cores.
 *
 * Changes from `faster_rcnn_r50_fpn_1x_coco`, and why:
 * - ResNet-18 at half width (`base_channels: 32`), BN statistics trained (`norm_eval: false`),
 *   nothing pretrained; FPN at 64 channels over all four stages (P2–P6, strides 4–64).
 * - RPN anchors of scale 4 (16–256 px over P2–P6) instead of 8 (32–512 px): shapes are
 *   10–105 px in the dataset's 192-px images.
 * - RoI head: 64-channel RoI features, 256-wide shared FCs, 128 sampled RoIs per image (an image
 *   holds a few objects, so 512 would be almost all negatives), RPN proposals 1000 → 500.
 * - AdamW with a short linear warmup and cosine decay per iteration, as the RetinaNet shapes
 *   recipe; data-parallel on both cores (`gpu_ids: [0, 1]`, 4 images per device), 5 epochs of 301
 *   iterations (about 1.05 s each on an idle 2-core machine).
 *
 * Measured on 2026-11-26 (idle machine, the 2,400-image data already generated): 27.75 min in all
 * (1,665 s: training and 5 evaluations), bbox_mAP on shapes val 0.176 0.464 0.583 0.701 **0.715**
 * (bbox_mAP_50 0.849). With 800 images and 6 epochs of 101 iterations it had reached 0.346.
 */
import type { DetConfig } from '../../src/config/index.js';

export default {
  _base_: ['../_base_/datasets/shapes_detection.ts', '../_base_/default_runtime.ts'],
  gpu_ids: [0, 1],
  data: { samples_per_gpu: 4 },
  model: {
    type: 'FasterRCNN',
    backbone: {
      type: 'ResNet',
      depth: 18,
      base_channels: 32,
      num_stages: 4,
      out_indices: [0, 1, 2, 3],
      frozen_stages: -1,
      norm_cfg: { type: 'BN', requires_grad: true },
      norm_eval: false,
      style: 'pytorch',
      init_cfg: null,
    },
    neck: { type: 'FPN', in_channels: [32, 64, 128, 256], out_channels: 64, num_outs: 5 },
    rpn_head: {
      type: 'RPNHead',
      in_channels: 64,
      feat_channels: 64,
      anchor_generator: { type: 'AnchorGenerator', scales: [4], ratios: [0.5, 1.0, 2.0], strides: [4, 8, 16, 32, 64] },
      bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0.0, 0.0, 0.0, 0.0], target_stds: [1.0, 1.0, 1.0, 1.0] },
      loss_cls: { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 },
      loss_bbox: { type: 'L1Loss', loss_weight: 1.0 },
    },
    roi_head: {
      type: 'StandardRoIHead',
      bbox_roi_extractor: {
        type: 'SingleRoIExtractor',
        roi_layer: { type: 'RoIAlign', output_size: 7, sampling_ratio: 0 },
        out_channels: 64,
        featmap_strides: [4, 8, 16, 32],
      },
      bbox_head: {
        type: 'Shared2FCBBoxHead',
        in_channels: 64,
        fc_out_channels: 256,
        roi_feat_size: 7,
        num_classes: 5,
        bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0.0, 0.0, 0.0, 0.0], target_stds: [0.1, 0.1, 0.2, 0.2] },
        reg_class_agnostic: false,
        loss_cls: { type: 'CrossEntropyLoss', use_sigmoid: false, loss_weight: 1.0 },
        loss_bbox: { type: 'L1Loss', loss_weight: 1.0 },
      },
    },
    train_cfg: {
      rpn: {
        assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.7, neg_iou_thr: 0.3, min_pos_iou: 0.3, match_low_quality: true, ignore_iof_thr: -1 },
        sampler: { type: 'RandomSampler', num: 256, pos_fraction: 0.5, neg_pos_ub: -1, add_gt_as_proposals: false },
        allowed_border: -1,
        pos_weight: -1,
        debug: false,
      },
      rpn_proposal: { nms_pre: 1000, max_per_img: 500, nms: { type: 'nms', iou_threshold: 0.7 }, min_bbox_size: 0 },
      rcnn: {
        assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.5, neg_iou_thr: 0.5, min_pos_iou: 0.5, match_low_quality: false, ignore_iof_thr: -1 },
        sampler: { type: 'RandomSampler', num: 128, pos_fraction: 0.25, neg_pos_ub: -1, add_gt_as_proposals: true },
        pos_weight: -1,
        debug: false,
      },
    },
    test_cfg: {
      rpn: { nms_pre: 500, max_per_img: 500, nms: { type: 'nms', iou_threshold: 0.7 }, min_bbox_size: 0 },
      rcnn: { score_thr: 0.05, nms: { type: 'nms', iou_threshold: 0.5 }, max_per_img: 100 },
    },
  },
  optimizer: { type: 'AdamW', lr: 0.002, weight_decay: 0.0001 },
  optimizer_config: { grad_clip: { max_norm: 35, norm_type: 2 } },
  lr_config: { policy: 'CosineAnnealing', by_epoch: false, warmup: 'linear', warmup_iters: 100, warmup_ratio: 0.001, min_lr_ratio: 0.01 },
  runner: { type: 'EpochBasedRunner', max_epochs: 5 },
  checkpoint_config: { interval: 1, max_keep_ckpts: 2 },
  log_config: { interval: 10, hooks: [{ type: 'TextLoggerHook' }] },
  seed: 0,
} satisfies DetConfig;
