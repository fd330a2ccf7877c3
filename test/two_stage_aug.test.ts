/**
 * Two-stage test-time augmentation (mmdet 2.28 `TwoStageDetector.aug_test`) on tiny random Faster
 * and Mask R-CNNs: one identity augmentation reproduces `simple_test` exactly (also at
 * `scale_factor` 2, so proposals are mapped back to the original image and into the augmentation
 * again); one horizontally flipped augmentation reproduces `simple_test` on the flipped image with
 * its boxes and masks mirrored back; flip TTA (two augmentations) keeps its detections inside the
 * image, within `max_per_img`, and leaks no tensors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../src/backend/index.js';
import '../src/register_all.js';
import type { TwoStageDetector } from '../src/models/detectors/two_stage.js';
import { DETECTORS } from '../src/registry/root.js';
import type { DetBatch, DetResult, ImageMeta } from '../src/structures/det_types.js';
import { rleToBitmap } from '../src/structures/mask_structures.js';
import { rleFromObject } from '../src/structures/mask.js';
import { brightSquareBatch } from '../src/testing/detection.js';
import { Rng } from '../src/utils/rng.js';

const S = 64;
const MAX_PER_IMG = 10;

/**
 * A tiny Faster R-CNN (Mask R-CNN with `withMask`). `rpnIou` 1.0 makes the RPN's NMS keep every
 * proposal, so the merge's second NMS (over all levels and augmentations) removes none either.
 */
function tinyCfg(withMask: boolean, rpnIou: number): Record<string, unknown> {
  const extractor = (size: number) => ({ type: 'SingleRoIExtractor', roi_layer: { type: 'RoIAlign', output_size: size, sampling_ratio: 0 }, out_channels: 16, featmap_strides: [4, 8, 16, 32] });
  const roiHead: Record<string, unknown> = {
    type: 'StandardRoIHead',
    bbox_roi_extractor: extractor(7),
    bbox_head: {
      type: 'Shared2FCBBoxHead', in_channels: 16, fc_out_channels: 32, roi_feat_size: 7, num_classes: 3,
      bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [0.1, 0.1, 0.2, 0.2] },
      loss_cls: { type: 'CrossEntropyLoss', use_sigmoid: false, loss_weight: 1.0 },
      loss_bbox: { type: 'L1Loss', loss_weight: 1.0 },
    },
  };
  if (withMask) {
    roiHead.mask_roi_extractor = extractor(14);
    roiHead.mask_head = { type: 'FCNMaskHead', num_convs: 1, in_channels: 16, conv_out_channels: 16, num_classes: 3, loss_mask: { type: 'CrossEntropyLoss', use_mask: true, loss_weight: 1.0 } };
  }
  return {
    type: withMask ? 'MaskRCNN' : 'FasterRCNN',
    backbone: { type: 'ResNet', depth: 18, base_channels: 8, out_indices: [0, 1, 2, 3], norm_eval: false, init_cfg: null },
    neck: { type: 'FPN', in_channels: [8, 16, 32, 64], out_channels: 16, num_outs: 5 },
    rpn_head: {
      type: 'RPNHead', in_channels: 16, feat_channels: 16,
      anchor_generator: { type: 'AnchorGenerator', scales: [8], ratios: [0.5, 1.0, 2.0], strides: [4, 8, 16, 32, 64] },
      bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [1, 1, 1, 1] },
      loss_cls: { type: 'CrossEntropyLoss', use_sigmoid: true, loss_weight: 1.0 },
      loss_bbox: { type: 'L1Loss', loss_weight: 1.0 },
    },
    roi_head: roiHead,
    test_cfg: {
      rpn: { nms_pre: 100, max_per_img: 40, nms: { type: 'nms', iou_threshold: rpnIou }, min_bbox_size: 0 },
      rcnn: { score_thr: 0.0, nms: { type: 'nms', iou_threshold: 0.5 }, max_per_img: MAX_PER_IMG, mask_thr_binary: 0.5 },
    },
  };
}

function build(withMask: boolean, rpnIou = 1.0): TwoStageDetector {
  const m = DETECTORS.build<TwoStageDetector>(tinyCfg(withMask, rpnIou));
  m.initWeights(new Rng(3));
  m.eval();
  return m;
}

/** The batch with its images mirrored left-right and the metas given. */
function flipped(b: DetBatch, meta: (m: ImageMeta) => ImageMeta): DetBatch {
  const [n, h, w, c] = b.imgShape;
  const img = new Float32Array(b.img.length);
  for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
    img[((i * h + y) * w + x) * c + k] = b.img[((i * h + y) * w + (w - 1 - x)) * c + k]!;
  }
  return { img, imgShape: b.imgShape, samples: b.samples.map((s) => ({ meta: meta(s.meta) })) };
}

const mirror = (a: Float32Array, w: number): number[] => {
  const out = [...a];
  for (let i = 0; i < a.length; i += 5) [out[i], out[i + 2]] = [w - a[i + 2]!, w - a[i]!];
  return out;
};

function expectSame(a: DetResult[], b: DetResult[]): void {
  expect(a.map((r) => r.bbox.map((x) => [...x]))).toEqual(b.map((r) => r.bbox.map((x) => [...x])));
  expect(a.map((r) => r.segm)).toEqual(b.map((r) => r.segm));
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe.each([false, true])('two-stage aug_test (withMask=%s)', (withMask) => {
  it('one identity augmentation equals simple_test, also at scale_factor 2', () => {
    const m = build(withMask);
    const b = brightSquareBatch(S);
    const simple = m.simpleTest(b);
    expect(simple[0]!.bbox.reduce((s, a) => s + a.length / 5, 0)).toBe(MAX_PER_IMG);
    expectSame(m.augTest([b]), simple);
    // the same pixels read as a 2x resize of a 32x32 original: boxes come back divided by 2
    for (const s of b.samples) Object.assign(s.meta, { scale_factor: [2, 2, 2, 2], ori_shape: [S / 2, S / 2, 3] });
    const simple2 = m.simpleTest(b);
    expectSame(m.augTest([b]), simple2);
    const c = simple[0]!.bbox.findIndex((a) => a.length > 0);
    expect(simple2[0]!.bbox[c]![2]).toBeCloseTo(simple[0]!.bbox[c]![2]! / 2, 4);
    m.dispose();
  }, 60_000);

  it('one flipped augmentation equals simple_test on the flipped image, mirrored back', () => {
    const m = build(withMask);
    const b = brightSquareBatch(S);
    const plain = flipped(b, (meta) => ({ ...meta }));
    const asAug = flipped(b, (meta) => ({ ...meta, flip: true, flip_direction: 'horizontal' }));
    const simple = m.simpleTest(plain);
    const aug = m.augTest([asAug]);
    for (let i = 0; i < 2; i++) {
      simple[i]!.bbox.forEach((a, c) => {
        const got = [...aug[i]!.bbox[c]!];
        const want = mirror(a, S);
        expect(got).toHaveLength(want.length);
        got.forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 3));
      });
      if (withMask) {
        // mask c/k of the aug result is the mirror image of the simple result's (up to a few
        // threshold-boundary pixels from float rounding)
        simple[i]!.segm!.forEach((rles, c) => rles.forEach((rle, k) => {
          const a = rleToBitmap(rleFromObject(rle));
          const g = rleToBitmap(rleFromObject(aug[i]!.segm![c]![k]!));
          let diff = 0, area = 0;
          for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
            area += a[y * S + x]!;
            if (a[y * S + x] !== g[y * S + (S - 1 - x)]) diff++;
          }
          expect(diff).toBeLessThanOrEqual(Math.max(2, area * 0.01));
        }));
      }
    }
    m.dispose();
  }, 60_000);

  it('flip TTA: detections inside the image, at most max_per_img, masks aligned with boxes, no tensor leaks', () => {
    const m = build(withMask, 0.7);
    const b = brightSquareBatch(S);
    const augs = [b, flipped(b, (meta) => ({ ...meta, flip: true, flip_direction: 'horizontal' }))];
    m.augTest(augs);
    const n0 = tf.memory().numTensors;
    const res = m.augTest(augs);
    expect(tf.memory().numTensors).toBe(n0);
    expect(res).toHaveLength(2);
    for (const r of res) {
      expect(r.bbox).toHaveLength(3);
      const n = r.bbox.reduce((s, a) => s + a.length / 5, 0);
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(MAX_PER_IMG);
      for (const a of r.bbox) for (let i = 0; i < a.length; i += 5) {
        for (let k = 0; k < 4; k++) expect(a[i + k]! >= 0 && a[i + k]! <= S).toBe(true);
        expect(a[i + 4]! >= 0 && a[i + 4]! <= 1).toBe(true);
      }
      if (withMask) r.bbox.forEach((a, c) => expect(r.segm![c]).toHaveLength(a.length / 5));
    }
    expect(() => m.augTest([])).toThrow(expect.objectContaining({ code: 'MODEL_BAD_INPUT' }));
    m.dispose();
  }, 60_000);
});
