import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import '../index.js';
import { DETECTORS } from '../../registry/root.js';
import { Rng } from '../../utils/rng.js';
import type { DetBatch } from '../../structures/det_types.js';
import { brightSquareBatch } from '../../testing/detection.js';
import type { FasterRCNN, MaskRCNN } from './two_stage.js';
import type { RPN } from './rpn.js';

const S = 64;

/** A tiny Faster R-CNN: the faster_rcnn_r50_fpn structure at toy widths. */
function tinyFasterRCNNCfg(numClasses = 3, rcnnNum = 32): Record<string, unknown> {
  return {
    type: 'FasterRCNN',
    backbone: { type: 'ResNet', depth: 18, base_channels: 8, out_indices: [0, 1, 2, 3], norm_eval: false, init_cfg: null },
    neck: { type: 'FPN', in_channels: [8, 16, 32, 64], out_channels: 16, num_outs: 5 },
    rpn_head: {
      type: 'RPNHead', in_channels: 16, feat_channels: 16,
      anchor_generator: { type: 'AnchorGenerator', scales: [8], ratios: [0.5, 1.0, 2.0], strides: [4, 8, 16, 32, 64] },
      bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [1, 1, 1, 1] },
      loss_cls: { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 },
      loss_bbox: { type: 'L1Loss', loss_weight: 1.0 },
    },
    roi_head: {
      type: 'StandardRoIHead',
      bbox_roi_extractor: { type: 'SingleRoIExtractor', roi_layer: { type: 'RoIAlign', output_size: 7, sampling_ratio: 0 }, out_channels: 16, featmap_strides: [4, 8, 16, 32] },
      bbox_head: {
        type: 'Shared2FCBBoxHead', in_channels: 16, fc_out_channels: 32, roi_feat_size: 7, num_classes: numClasses,
        bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [0.1, 0.1, 0.2, 0.2] },
        reg_class_agnostic: false,
        loss_cls: { type: 'CrossEntropyLoss', use_sigmoid: false, loss_weight: 1.0 },
        loss_bbox: { type: 'L1Loss', loss_weight: 1.0 },
      },
    },
    train_cfg: {
      rpn: {
        assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.7, neg_iou_thr: 0.3, min_pos_iou: 0.3, match_low_quality: true, ignore_iof_thr: -1 },
        sampler: { type: 'RandomSampler', num: 64, pos_fraction: 0.5, neg_pos_ub: -1, add_gt_as_proposals: false },
        allowed_border: -1, pos_weight: -1, debug: false,
      },
      rpn_proposal: { nms_pre: 200, max_per_img: 100, nms: { type: 'nms', iou_threshold: 0.7 }, min_bbox_size: 0 },
      rcnn: {
        assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.5, neg_iou_thr: 0.5, min_pos_iou: 0.5, match_low_quality: false, ignore_iof_thr: -1 },
        sampler: { type: 'RandomSampler', num: rcnnNum, pos_fraction: 0.25, neg_pos_ub: -1, add_gt_as_proposals: true },
        pos_weight: -1, debug: false,
      },
    },
    test_cfg: {
      rpn: { nms_pre: 100, max_per_img: 50, nms: { type: 'nms', iou_threshold: 0.7 }, min_bbox_size: 0 },
      rcnn: { score_thr: 0.0, nms: { type: 'nms', iou_threshold: 0.5 }, max_per_img: 10 },
    },
  };
}

const batch = (): DetBatch => brightSquareBatch(S);

beforeAll(async () => {
  await initBackend('wasm');
});

describe('Faster R-CNN end to end (tiny)', () => {
  it('names parameters as mmdet state dicts', () => {
    const m = DETECTORS.build<FasterRCNN>(tinyFasterRCNNCfg());
    const keys = [...m.stateDict().keys()];
    for (const k of ['rpn_head.rpn_conv.weight', 'rpn_head.rpn_cls.weight', 'rpn_head.rpn_reg.bias', 'roi_head.bbox_head.shared_fcs.0.weight',
      'roi_head.bbox_head.shared_fcs.1.bias', 'roi_head.bbox_head.fc_cls.weight', 'roi_head.bbox_head.fc_reg.weight']) expect(keys).toContain(k);
    // fc_cls: C+1 outputs, fc_reg: 4C (class-specific)
    expect(m.stateDict().get('roi_head.bbox_head.fc_cls.weight')!.shape).toEqual([32, 4]);
    expect(m.stateDict().get('roi_head.bbox_head.fc_reg.weight')!.shape).toEqual([32, 12]);
    expect(m.stateDict().get('roi_head.bbox_head.shared_fcs.0.weight')!.shape).toEqual([16 * 49, 32]);
    m.dispose();
  });

  it('trains with mmdet log keys, finite decreasing loss, no leaks, and detects', () => {
    const m = DETECTORS.build<FasterRCNN>(tinyFasterRCNNCfg());
    m.initWeights(new Rng(1));
    const data = batch();
    const params = m.namedParameters();
    const losses: number[] = [];
    let before = 0;
    for (let i = 0; i < 8; i++) {
      const out = m.train_step(data);
      if (i === 0) {
        expect(Object.keys(out.log_vars)).toEqual(['loss_rpn_cls', 'loss_rpn_bbox', 'loss_cls', 'acc', 'loss_bbox', 'loss']);
        const lv = out.log_vars;
        expect(out.loss).toBeCloseTo(lv.loss_rpn_cls + lv.loss_rpn_bbox + lv.loss_cls + lv.loss_bbox, 4);
        expect(lv.acc).toBeGreaterThanOrEqual(0);
        expect(lv.acc).toBeLessThanOrEqual(100);
        for (const k of ['backbone.conv1.weight', 'rpn_head.rpn_cls.weight', 'roi_head.bbox_head.fc_cls.weight', 'roi_head.bbox_head.shared_fcs.0.weight']) expect(out.grads!.has(k)).toBe(true);
      }
      for (const [name, g] of out.grads!) {
        const p = params.get(name)!;
        const next = tf.tidy(() => p.sub(g.mul(0.02)));
        p.assign(next);
        next.dispose();
        g.dispose();
      }
      losses.push(out.loss);
      if (i === 1) before = tf.memory().numTensors;
      if (i > 1) expect(tf.memory().numTensors).toBe(before);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(Math.min(...losses.slice(1))).toBeLessThan(losses[0]);
    const n0 = tf.memory().numTensors;
    const res = m.simpleTest(data);
    expect(tf.memory().numTensors).toBe(n0);
    expect(res).toHaveLength(2);
    expect(res[0].bbox).toHaveLength(3);
    const total = res[0].bbox.reduce((s, c) => s + c.length / 5, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(10);
    m.dispose();
  });
});

/** The tiny Faster R-CNN plus mmdet's mask branch (14x14 RoIs → 28x28 → mask_size 28). */
function tinyMaskRCNNCfg(): Record<string, unknown> {
  const cfg = tinyFasterRCNNCfg() as { roi_head: Record<string, unknown>; train_cfg: { rcnn: Record<string, unknown> }; test_cfg: { rcnn: Record<string, unknown> } };
  return {
    ...cfg,
    type: 'MaskRCNN',
    roi_head: {
      ...cfg.roi_head,
      mask_roi_extractor: { type: 'SingleRoIExtractor', roi_layer: { type: 'RoIAlign', output_size: 14, sampling_ratio: 0 }, out_channels: 16, featmap_strides: [4, 8, 16, 32] },
      mask_head: { type: 'FCNMaskHead', num_convs: 2, in_channels: 16, conv_out_channels: 16, num_classes: 3, loss_mask: { type: 'CrossEntropyLoss', use_mask: true, loss_weight: 1.0 } },
    },
    train_cfg: { ...cfg.train_cfg, rcnn: { ...cfg.train_cfg.rcnn, mask_size: 28 } },
    test_cfg: { ...cfg.test_cfg, rcnn: { ...cfg.test_cfg.rcnn, mask_thr_binary: 0.5 } },
  };
}

describe('Mask R-CNN end to end (tiny)', () => {
  it('trains loss_mask with the box losses, no leaks, and returns per-class RLE masks aligned with the boxes', () => {
    const m = DETECTORS.build<MaskRCNN>(tinyMaskRCNNCfg());
    m.initWeights(new Rng(1));
    const data = batch();
    // the bright square is the instance mask
    const mask = new Uint8Array(S * S);
    for (let y = 16; y < 48; y++) for (let x = 8; x < 40; x++) mask[y * S + x] = 1;
    for (const s of data.samples) s.gt_masks = { kind: 'bitmap', height: S, width: S, masks: [mask] };
    const params = m.namedParameters();
    const losses: number[] = [];
    let before = 0;
    for (let i = 0; i < 6; i++) {
      const out = m.train_step(data);
      if (i === 0) {
        expect(Object.keys(out.log_vars)).toEqual(['loss_rpn_cls', 'loss_rpn_bbox', 'loss_cls', 'acc', 'loss_bbox', 'loss_mask', 'loss']);
        // an untrained mask head predicts ~0.5 everywhere: BCE ~ log 2
        expect(out.log_vars.loss_mask).toBeGreaterThan(0.3);
        expect(out.log_vars.loss_mask).toBeLessThan(1.5);
        expect(out.grads!.has('roi_head.mask_head.upsample.weight')).toBe(true);
        expect(out.grads!.has('roi_head.mask_head.conv_logits.weight')).toBe(true);
      }
      for (const [name, g] of out.grads!) {
        const p = params.get(name)!;
        const next = tf.tidy(() => p.sub(g.mul(0.02)));
        p.assign(next);
        next.dispose();
        g.dispose();
      }
      losses.push(out.loss);
      if (i === 1) before = tf.memory().numTensors;
      if (i > 1) expect(tf.memory().numTensors).toBe(before);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(Math.min(...losses.slice(1))).toBeLessThan(losses[0]);
    const n0 = tf.memory().numTensors;
    const res = m.simpleTest(data);
    expect(tf.memory().numTensors).toBe(n0);
    expect(res[0].segm).toHaveLength(3);
    res[0].bbox.forEach((b, c) => expect(res[0].segm![c]).toHaveLength(b.length / 5));
    expect(res[0].segm!.flat().length).toBeGreaterThan(0);
    for (const rles of res[0].segm!) for (const r of rles) {
      expect(r.size).toEqual([S, S]);
      expect((r.counts as number[]).reduce((a, v) => a + v, 0)).toBe(S * S);
    }
    m.dispose();
  });
});

describe('RPN detector (tiny)', () => {
  it('trains loss_rpn_cls / loss_rpn_bbox and tests to at most max_per_img proposals, rescaled', () => {
    const full = tinyFasterRCNNCfg() as { backbone: unknown; neck: unknown; rpn_head: unknown; train_cfg: { rpn: unknown }; test_cfg: { rpn: unknown } };
    const m = DETECTORS.build<RPN>({ type: 'RPN', backbone: full.backbone, neck: full.neck, rpn_head: full.rpn_head, train_cfg: { rpn: full.train_cfg.rpn }, test_cfg: { rpn: full.test_cfg.rpn } });
    m.initWeights(new Rng(1));
    const data = batch();
    const out = m.train_step(data);
    expect(Object.keys(out.log_vars)).toEqual(['loss_rpn_cls', 'loss_rpn_bbox', 'loss']);
    expect(out.grads!.has('rpn_head.rpn_conv.weight')).toBe(true);
    for (const g of out.grads!.values()) g.dispose();
    const res = m.simpleTest(data, false);
    expect(res[0].bbox).toHaveLength(1);
    const n = res[0].bbox[0].length / 5;
    // test_cfg.rpn.max_per_img = 50
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(50);
    for (const s of data.samples) s.meta.scale_factor = [2, 2, 2, 2];
    const scaled = m.simpleTest(data, true);
    expect(scaled[0].bbox[0][2]).toBeCloseTo(res[0].bbox[0][2] / 2, 4);
    m.dispose();
  });
});
