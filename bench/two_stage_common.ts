/**
 * @module The two-stage detectors of `bench/torch_two_stage.py`'s workloads, built from detkit's
 * registry: torchvision's `fasterrcnn`/`maskrcnn` with `resnet_fpn_backbone('resnet18')`, i.e.
 * ResNet-18 with frozen BN statistics (torchvision's FrozenBatchNorm2d), FPN over C2–C5 at 256
 * channels + a max-pooled P6, an RPN with 3 anchors per location (32–512 px), RoIAlign 7×7, two
 * 1024-wide FCs, 20 classes; Mask R-CNN adds the 14×14 → 4 convs → deconv → 28×28 mask branch.
 * Proposal and sampling sizes follow torchvision's defaults (2000 proposals per image in training,
 * 256 RPN anchors and 512 RoIs sampled per image).
 */
import '../src/register_all.js';
import { DETECTORS } from '../src/registry/root.js';
import type { TwoStageDetector } from '../src/models/detectors/two_stage.js';
import type { DetBatch } from '../src/structures/det_types.js';
import { Rng } from '../src/utils/rng.js';
import { benchBatch } from './retinanet_common.js';

/** The benchmark Faster R-CNN (or Mask R-CNN with `withMask`), weights initialised as mmdet does. */
export function benchTwoStage(withMask: boolean): TwoStageDetector {
  const roiHead: Record<string, unknown> = {
    type: 'StandardRoIHead',
    bbox_roi_extractor: { type: 'SingleRoIExtractor', roi_layer: { type: 'RoIAlign', output_size: 7, sampling_ratio: 0 }, out_channels: 256, featmap_strides: [4, 8, 16, 32] },
    bbox_head: {
      type: 'Shared2FCBBoxHead', in_channels: 256, fc_out_channels: 1024, roi_feat_size: 7, num_classes: 20,
      bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [0.1, 0.1, 0.2, 0.2] },
      reg_class_agnostic: false,
      loss_cls: { type: 'CrossEntropyLoss', use_sigmoid: false, loss_weight: 1.0 },
      loss_bbox: { type: 'L1Loss', loss_weight: 1.0 },
    },
  };
  if (withMask) {
    roiHead.mask_roi_extractor = { type: 'SingleRoIExtractor', roi_layer: { type: 'RoIAlign', output_size: 14, sampling_ratio: 0 }, out_channels: 256, featmap_strides: [4, 8, 16, 32] };
    roiHead.mask_head = { type: 'FCNMaskHead', num_convs: 4, in_channels: 256, conv_out_channels: 256, num_classes: 20, loss_mask: { type: 'CrossEntropyLoss', use_mask: true, loss_weight: 1.0 } };
  }
  const model = DETECTORS.build<TwoStageDetector>({
    type: withMask ? 'MaskRCNN' : 'FasterRCNN',
    backbone: { type: 'ResNet', depth: 18, out_indices: [0, 1, 2, 3], norm_cfg: { type: 'BN', requires_grad: false }, norm_eval: true, init_cfg: null },
    neck: { type: 'FPN', in_channels: [64, 128, 256, 512], out_channels: 256, num_outs: 5 },
    rpn_head: {
      type: 'RPNHead', in_channels: 256, feat_channels: 256,
      anchor_generator: { type: 'AnchorGenerator', scales: [8], ratios: [0.5, 1.0, 2.0], strides: [4, 8, 16, 32, 64] },
      bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [1, 1, 1, 1] },
      loss_cls: { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 },
      loss_bbox: { type: 'L1Loss', loss_weight: 1.0 },
    },
    roi_head: roiHead,
    train_cfg: {
      rpn: {
        assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.7, neg_iou_thr: 0.3, min_pos_iou: 0.3, match_low_quality: true, ignore_iof_thr: -1 },
        sampler: { type: 'RandomSampler', num: 256, pos_fraction: 0.5, neg_pos_ub: -1, add_gt_as_proposals: false },
        allowed_border: -1, pos_weight: -1,
      },
      rpn_proposal: { nms_pre: 2000, max_per_img: 2000, nms: { type: 'nms', iou_threshold: 0.7 }, min_bbox_size: 0 },
      rcnn: {
        assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.5, neg_iou_thr: 0.5, min_pos_iou: 0.5, match_low_quality: false, ignore_iof_thr: -1 },
        sampler: { type: 'RandomSampler', num: 512, pos_fraction: 0.25, neg_pos_ub: -1, add_gt_as_proposals: true },
        pos_weight: -1, mask_size: 28,
      },
    },
    test_cfg: {
      rpn: { nms_pre: 1000, max_per_img: 1000, nms: { type: 'nms', iou_threshold: 0.7 }, min_bbox_size: 0 },
      rcnn: { score_thr: 0.05, nms: { type: 'nms', iou_threshold: 0.5 }, max_per_img: 100, mask_thr_binary: 0.5 },
    },
  });
  model.initWeights(new Rng(0));
  // As mmcv's runner does before training: `ResNet.train` puts its BNs in eval mode (norm_eval), so
  // they use their running statistics, like torchvision's FrozenBatchNorm2d. Without it every BN
  // computed batch moments and kept them on the tape (1.4 GB of forward tensors in this step).
  model.train();
  return model;
}

/** {@link benchBatch} with each box's rectangle as its instance mask (bitmaps, as `poly2mask` loads them). */
export function benchMaskBatch(n: number): DetBatch {
  const batch = benchBatch(n);
  const [, h, w] = batch.imgShape;
  for (const s of batch.samples) {
    const boxes = s.gt_bboxes!;
    const masks = Array.from({ length: boxes.length / 4 }, (_, i) => {
      const m = new Uint8Array(h * w);
      for (let y = boxes[4 * i + 1]; y < boxes[4 * i + 3]; y++) m.fill(1, y * w + boxes[4 * i], y * w + boxes[4 * i + 2]);
      return m;
    });
    s.gt_masks = { kind: 'bitmap', height: h, width: w, masks };
  }
  return batch;
}
