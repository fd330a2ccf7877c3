import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import '../index.js';
import { DETECTORS } from '../../registry/root.js';
import { Rng } from '../../utils/rng.js';
import type { DetBatch } from '../../structures/det_types.js';
import { brightSquareBatch } from '../../testing/detection.js';
import type { RetinaNet, SingleStageDetector } from './single_stage.js';

const S = 64;

function tinyRetinaNet(numClasses = 3): RetinaNet {
  return DETECTORS.build<RetinaNet>({
    type: 'RetinaNet',
    backbone: { type: 'ResNet', depth: 18, base_channels: 8, out_indices: [1, 2, 3], norm_eval: false, init_cfg: null },
    neck: { type: 'FPN', in_channels: [16, 32, 64], out_channels: 16, start_level: 0, add_extra_convs: 'on_input', num_outs: 4 },
    bbox_head: {
      type: 'RetinaHead',
      num_classes: numClasses,
      in_channels: 16,
      stacked_convs: 1,
      feat_channels: 16,
      anchor_generator: { type: 'AnchorGenerator', octave_base_scale: 4, scales_per_octave: 1, ratios: [1.0], strides: [8, 16, 32, 64] },
      bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [1, 1, 1, 1] },
      loss_cls: { type: 'FocalLoss', use_sigmoid: true, gamma: 2.0, alpha: 0.25, loss_weight: 1.0 },
      loss_bbox: { type: 'L1Loss', loss_weight: 1.0 },
    },
    train_cfg: { assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.5, neg_iou_thr: 0.4, min_pos_iou: 0, ignore_iof_thr: -1 }, allowed_border: -1, pos_weight: -1, debug: false },
    test_cfg: { nms_pre: 100, min_bbox_size: 0, score_thr: 0.0, nms: { type: 'nms', iou_threshold: 0.5 }, max_per_img: 10 },
  });
}

function tinyDetector(type: 'FCOS' | 'ATSS'): SingleStageDetector {
  const neck = { type: 'FPN', in_channels: [16, 32, 64], out_channels: 16, start_level: 0, add_extra_convs: 'on_output', num_outs: 4, relu_before_extra_convs: true };
  const backbone = { type: 'ResNet', depth: 18, base_channels: 8, out_indices: [1, 2, 3], norm_eval: false, init_cfg: null };
  const test_cfg = { nms_pre: 100, min_bbox_size: 0, score_thr: 0.0, nms: { type: 'nms', iou_threshold: 0.5 }, max_per_img: 10 };
  if (type === 'FCOS') {
    return DETECTORS.build<SingleStageDetector>({
      type, backbone, neck, test_cfg,
      bbox_head: { type: 'FCOSHead', num_classes: 3, in_channels: 16, stacked_convs: 1, feat_channels: 16, strides: [8, 16, 32, 64], norm_cfg: { type: 'GN', num_groups: 4 },
        regress_ranges: [[-1, 16], [16, 32], [32, 64], [64, 1e8]], center_sampling: true, norm_on_bbox: true, centerness_on_reg: true,
        loss_bbox: { type: 'GIoULoss', loss_weight: 1.0 } },
      train_cfg: { assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.5, neg_iou_thr: 0.4, min_pos_iou: 0, ignore_iof_thr: -1 }, allowed_border: -1, pos_weight: -1, debug: false },
    });
  }
  return DETECTORS.build<SingleStageDetector>({
    type, backbone, neck, test_cfg,
    bbox_head: { type: 'ATSSHead', num_classes: 3, in_channels: 16, stacked_convs: 1, feat_channels: 16, norm_cfg: { type: 'GN', num_groups: 4 },
      anchor_generator: { type: 'AnchorGenerator', ratios: [1.0], octave_base_scale: 4, scales_per_octave: 1, strides: [8, 16, 32, 64] },
      bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [0.1, 0.1, 0.2, 0.2] },
      loss_cls: { type: 'FocalLoss', use_sigmoid: true, gamma: 2.0, alpha: 0.25, loss_weight: 1.0 },
      loss_bbox: { type: 'GIoULoss', loss_weight: 2.0 },
      loss_centerness: { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 } },
    train_cfg: { assigner: { type: 'ATSSAssigner', topk: 9 }, allowed_border: -1, pos_weight: -1, debug: false },
  });
}

const batch = (): DetBatch => brightSquareBatch(S);

beforeAll(async () => {
  await initBackend('wasm');
});

describe('RetinaNet end to end (tiny)', () => {
  it('names parameters as mmdet state dicts', () => {
    const m = tinyRetinaNet();
    const keys = [...m.stateDict().keys()];
    expect(keys).toContain('backbone.layer1.0.conv1.weight');
    expect(keys).toContain('neck.lateral_convs.0.conv.weight');
    expect(keys).toContain('bbox_head.cls_convs.0.conv.weight');
    expect(keys).toContain('bbox_head.retina_cls.bias');
    expect(keys).toContain('bbox_head.retina_reg.weight');
    m.dispose();
  });

  it('train_step returns mmdet log_vars and gradients; SGD steps lower the loss; no leaks', () => {
    const m = tinyRetinaNet();
    m.initWeights(new Rng(1));
    // retina_cls bias starts at -log((1-0.01)/0.01)
    expect(m.namedParameters().get('bbox_head.retina_cls.bias')?.dataSync()[0]).toBeCloseTo(-Math.log(99), 4);
    const data = batch();
    const first = m.train_step(data);
    expect(Object.keys(first.log_vars)).toEqual(['loss_cls', 'loss_bbox', 'loss']);
    expect(first.loss).toBeCloseTo(first.log_vars.loss_cls + first.log_vars.loss_bbox, 5);
    expect(first.grads!.has('bbox_head.retina_cls.weight')).toBe(true);
    expect(first.grads!.has('backbone.conv1.weight')).toBe(true);
    for (const g of first.grads!.values()) g.dispose();
    const params = m.namedParameters();
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const out = m.train_step(data);
      for (const [name, g] of out.grads!) {
        const p = params.get(name)!;
        const next = tf.tidy(() => p.sub(g.mul(0.05)));
        p.assign(next);
        next.dispose();
        g.dispose();
      }
      losses.push(out.loss);
      if (i > 1) expect(tf.memory().numTensors).toBe(before);
    }
    // plain SGD at lr 0.05 overshoots later on; the descent itself is what is checked
    expect(Math.min(...losses)).toBeLessThan(first.loss * 0.8);
    const res = m.simpleTest(data);
    expect(res).toHaveLength(2);
    expect(res[0].bbox).toHaveLength(3);
    const total = res[0].bbox.reduce((s, c) => s + c.length / 5, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(10);
    m.dispose();
  });
});

describe.each(['FCOS', 'ATSS'] as const)('%s end to end (tiny)', (type) => {
  it('returns its three loss terms with gradients, learns, and detects', () => {
    const m = tinyDetector(type);
    m.initWeights(new Rng(2));
    const data = batch();
    const params = m.namedParameters();
    const losses: number[] = [];
    let keys: string[] = [];
    for (let i = 0; i < 8; i++) {
      const out = m.train_step(data);
      keys = Object.keys(out.log_vars);
      expect(out.grads!.size).toBe(params.size);
      for (const [name, g] of out.grads!) {
        const p = params.get(name)!;
        const next = tf.tidy(() => p.sub(g.mul(0.02)));
        p.assign(next);
        next.dispose();
        g.dispose();
      }
      losses.push(out.loss);
    }
    expect(keys).toEqual(['loss_cls', 'loss_bbox', 'loss_centerness', 'loss']);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(Math.min(...losses.slice(1))).toBeLessThan(losses[0]);
    const res = m.simpleTest(data);
    expect(res[0].bbox).toHaveLength(3);
    m.dispose();
  });
});

/** `batch` with its images mirrored left-right in place and the metas marked flipped (RandomFlip). */
function symmetricBatch(): DetBatch {
  const b = brightSquareBatch(S);
  // Make each image symmetric: the right half mirrors the left half.
  for (let n = 0; n < 2; n++) for (let y = 0; y < S; y++) for (let x = S / 2; x < S; x++) for (let c = 0; c < 3; c++) b.img[((n * S + y) * S + x) * 3 + c] = b.img[((n * S + y) * S + (S - 1 - x)) * 3 + c];
  return b;
}

function flippedMetas(b: DetBatch): DetBatch {
  return { ...b, samples: b.samples.map((s) => ({ ...s, meta: { ...s.meta, flip: true, flip_direction: 'horizontal' as const } })) };
}

/** Rows `[x1, y1, x2, y2, score]` of all classes of one image's result. */
const rows = (bbox: Float32Array[]): number[][] => bbox.flatMap((a) => Array.from({ length: a.length / 5 }, (_, i) => [...a.subarray(5 * i, 5 * i + 5)]));

describe.each(['RetinaNet', 'FCOS', 'ATSS'] as const)('%s aug_test (test-time augmentation)', (type) => {
  const build = (): SingleStageDetector => {
    const m = type === 'RetinaNet' ? tinyRetinaNet() : tinyDetector(type);
    m.initWeights(new Rng(3));
    return m;
  };

  it('two identical unflipped augmentations give simple_test’s detections (duplicates merged by NMS); no leaks', () => {
    const m = build();
    const data = batch();
    const plain = m.simpleTest(data);
    m.augTest([data, data]);
    const before = tf.memory().numTensors;
    const tta = m.augTest([data, data]);
    expect(tf.memory().numTensors).toBe(before);
    expect(tta).toHaveLength(2);
    tta.forEach((r, i) => expect(rows(r.bbox)).toEqual(rows(plain[i]!.bbox)));
    m.dispose();
  });

  it('flip TTA of a symmetric image keeps only boxes of simple_test or their mirror images', () => {
    const m = build();
    const data = symmetricBatch();
    const plain = rows(m.simpleTest(data)[0]!.bbox);
    // The flipped copy of a symmetric image has the same pixels; only its metas say "flipped".
    const tta = rows(m.augTest([data, flippedMetas(data)])[0]!.bbox);
    const mirror = (r: number[]): number[] => [S - r[2]!, r[1]!, S - r[0]!, r[3]!, r[4]!];
    const near = (a: number[], b: number[]): boolean => a.every((v, k) => Math.abs(v - b[k]!) < 1e-3);
    expect(tta.length).toBeGreaterThan(0);
    // The top detection (first row of the best class) survives, as itself or mirrored.
    const best = [...plain].sort((a, b) => b[4]! - a[4]!)[0]!;
    expect(tta.some((r) => near(r, best) || near(r, mirror(best)))).toBe(true);
    expect(Math.max(...tta.map((r) => r[4]!))).toBeCloseTo(best[4]!, 6);
    m.dispose();
  });

  it('a second scale maps back to original pixels (boxes inside the original image)', () => {
    const m = build();
    const data = batch();
    // 2x nearest upscale of the batch as a second augmentation with scale_factor 2.
    const big = new Float32Array(2 * 2 * S * 2 * S * 3);
    for (let n = 0; n < 2; n++) for (let y = 0; y < 2 * S; y++) for (let x = 0; x < 2 * S; x++) for (let c = 0; c < 3; c++) big[((n * 2 * S + y) * 2 * S + x) * 3 + c] = data.img[((n * S + (y >> 1)) * S + (x >> 1)) * 3 + c]!;
    const scaled: DetBatch = {
      img: big,
      imgShape: [2, 2 * S, 2 * S, 3],
      samples: data.samples.map((s) => ({ meta: { ...s.meta, img_shape: [2 * S, 2 * S, 3], pad_shape: [2 * S, 2 * S, 3], scale_factor: [2, 2, 2, 2] } })),
    };
    const res = m.augTest([data, scaled]);
    const all = rows(res[0]!.bbox);
    expect(all.length).toBeGreaterThan(0);
    expect(all.length).toBeLessThanOrEqual(10);
    for (const r of all) {
      for (let k = 0; k < 4; k++) {
        expect(r[k]).toBeGreaterThanOrEqual(0);
        expect(r[k]).toBeLessThanOrEqual(S);
      }
    }
    m.dispose();
  });
});
