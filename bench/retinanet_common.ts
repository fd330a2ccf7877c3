/**
 * @module The RetinaNet of torch_bench.py's `retinanet-r18-*` workloads, built from detkit's registry:
 * ResNet-18 (frozen BN statistics, as torchvision's FrozenBatchNorm2d), FPN P3–P7 with 256 channels
 * (P6/P7 from P5's output, as torchvision's LastLevelP6P7), RetinaHead with 4 stacked convs, 9
 * anchors per location and 20 classes.
 */
import '../src/register_all.js';
import { DETECTORS } from '../src/registry/root.js';
import type { RetinaNet } from '../src/models/detectors/single_stage.js';
import type { DetBatch, ImageMeta } from '../src/structures/det_types.js';
import { Rng } from '../src/utils/rng.js';

/** The benchmark model's config (plain data: data-parallel replicas build from it). */
export const BENCH_RETINANET_CFG = {
  type: 'RetinaNet',
  backbone: { type: 'ResNet', depth: 18, out_indices: [1, 2, 3], norm_cfg: { type: 'BN', requires_grad: false }, norm_eval: true, init_cfg: null },
  neck: { type: 'FPN', in_channels: [128, 256, 512], out_channels: 256, start_level: 0, add_extra_convs: 'on_output', num_outs: 5 },
  bbox_head: {
    type: 'RetinaHead',
    num_classes: 20,
    in_channels: 256,
    stacked_convs: 4,
    feat_channels: 256,
    anchor_generator: { type: 'AnchorGenerator', octave_base_scale: 4, scales_per_octave: 3, ratios: [0.5, 1.0, 2.0], strides: [8, 16, 32, 64, 128] },
    loss_cls: { type: 'FocalLoss', use_sigmoid: true, gamma: 2.0, alpha: 0.25, loss_weight: 1.0 },
    loss_bbox: { type: 'L1Loss', loss_weight: 1.0 },
  },
  train_cfg: { assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.5, neg_iou_thr: 0.4, min_pos_iou: 0, ignore_iof_thr: -1 }, allowed_border: -1, pos_weight: -1 },
  test_cfg: { nms_pre: 1000, min_bbox_size: 0, score_thr: 0.05, nms: { type: 'nms', iou_threshold: 0.5 }, max_per_img: 100 },
};

/**
 * The benchmark model, weights initialised as mmdet initialises them, in training mode as the runner
 * puts it (so `norm_eval` keeps the backbone's BNs on running statistics, like the PyTorch peer's
 * frozen BN).
 */
export function benchRetinaNet(): RetinaNet {
  const model = DETECTORS.build<RetinaNet>(structuredClone(BENCH_RETINANET_CFG));
  model.initWeights(new Rng(0));
  model.train();
  return model;
}

/** A batch of `n` random 512×512 images with torch_bench.py's three boxes (labels 1, 5, 9 → 0-based 0, 4, 8). */
export function benchBatch(n: number): DetBatch {
  const s = 512;
  const rng = new Rng(0);
  const img = new Float32Array(n * s * s * 3);
  for (let i = 0; i < img.length; i++) img[i] = rng.random();
  const meta: ImageMeta = {
    filename: 'random', ori_filename: 'random', ori_shape: [s, s, 3], img_shape: [s, s, 3], pad_shape: [s, s, 3],
    scale_factor: [1, 1, 1, 1], flip: false, flip_direction: null,
  };
  const gt_bboxes = Float32Array.from([40, 50, 200, 220, 300, 310, 480, 500, 100, 300, 180, 420]);
  const gt_labels = Int32Array.from([0, 4, 8]);
  return { img, imgShape: [n, s, s, 3], samples: Array.from({ length: n }, () => ({ meta, gt_bboxes, gt_labels })) };
}
