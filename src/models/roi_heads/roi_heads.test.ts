import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../backend/index.js';
import '../index.js';
import { HEADS, ROI_EXTRACTORS } from '../../registry/root.js';
import { roiAlign } from '../../ops/index.js';
import { Rng } from '../../utils/rng.js';
import { AssignResult } from '../task_modules/assigners/assign_result.js';
import { SamplingResult } from '../task_modules/samplers/sampling_result.js';
import type { ImageMeta } from '../../structures/det_types.js';
import type { SingleRoIExtractor } from './roi_extractors/single_level_roi_extractor.js';
import type { BBoxHead } from './bbox_heads/bbox_head.js';
import type { StandardRoIHead } from './standard_roi_head.js';
import { Linear } from '../../nn/linear.js';
import { linearFast } from './bbox_heads/linear_fast.js';
import { Conv2d } from '../../nn/conv2d.js';
import type { FCNMaskHead } from './mask_heads/fcn_mask_head.js';

const extractorCfg = (strides: number[], channels = 2) => ({
  type: 'SingleRoIExtractor', roi_layer: { type: 'RoIAlign', output_size: 2, sampling_ratio: 0 }, out_channels: channels, featmap_strides: strides,
});
const bboxHeadCfg = (numClasses: number, channels = 2, size = 2) => ({
  type: 'Shared2FCBBoxHead', in_channels: channels, fc_out_channels: 8, roi_feat_size: size, num_classes: numClasses,
  bbox_coder: { type: 'DeltaXYWHBBoxCoder', target_means: [0, 0, 0, 0], target_stds: [0.1, 0.1, 0.2, 0.2] },
  loss_cls: { type: 'CrossEntropyLoss', use_sigmoid: false, loss_weight: 1.0 },
  loss_bbox: { type: 'L1Loss', loss_weight: 1.0 },
});

function randomTensor(shape: number[], rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape);
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe('SingleRoIExtractor', () => {
  it('maps RoIs to levels by scale: floor(log2(sqrt(wh) / 56 + 1e-6)) clamped', () => {
    const e = ROI_EXTRACTORS.build<SingleRoIExtractor>(extractorCfg([4, 8, 16, 32]));
    const side = [20, 55.9, 56, 111, 112, 224, 448, 2000];
    const rois = Float32Array.from(side.flatMap((s) => [0, 10, 10, 10 + s, 10 + s]));
    expect(Array.from(e.mapRoiLevels(rois, 4))).toEqual([0, 0, 0, 0, 1, 2, 3, 3]);
  });

  it('pools each RoI from its level with spatial_scale 1/stride, in RoI order', () => {
    const rng = new Rng(3);
    const e = ROI_EXTRACTORS.build<SingleRoIExtractor>(extractorCfg([4, 8]));
    const feats = [randomTensor([2, 16, 16, 2], rng) as tf.Tensor4D, randomTensor([2, 8, 8, 2], rng) as tf.Tensor4D];
    const rois = [[1, 0, 0, 120, 120], [0, 4, 4, 20, 30], [1, 2, 3, 40, 50], [0, 0, 0, 150, 100]];
    const out = e.forward(feats, tf.tensor2d(rois));
    expect(out.shape).toEqual([4, 2, 2, 2]);
    rois.forEach((r, i) => {
      const lvl = Math.sqrt((r[3] - r[1]) * (r[4] - r[2])) >= 112 ? 1 : 0;
      const ref = roiAlign(feats[lvl], tf.tensor2d([r]), { outputSize: 2, spatialScale: 1 / [4, 8][lvl], samplingRatio: 0, aligned: true });
      expect(Array.from(out.slice([i, 0, 0, 0], [1, -1, -1, -1]).dataSync())).toEqual(Array.from(ref.dataSync()));
    });
    tf.dispose([...feats, out]);
  });

  it('gradients of the box-head loss reach the input features (finite differences)', () => {
    const rng = new Rng(5);
    const e = ROI_EXTRACTORS.build<SingleRoIExtractor>(extractorCfg([4, 8]));
    // large weights so that the gradients are well above float32 finite-difference noise
    const head = HEADS.build<BBoxHead>({ ...bboxHeadCfg(2), init_cfg: { type: 'Normal', layer: 'Linear', std: 0.5 } });
    head.initWeights(new Rng(6));
    const f0 = randomTensor([1, 32, 32, 2], rng) as tf.Tensor4D;
    const f1 = randomTensor([1, 16, 16, 2], rng) as tf.Tensor4D;
    // two RoIs on level 0 (stride 4), one large enough (sqrt(wh) >= 112) for level 1 (stride 8)
    const rois = tf.tensor2d([[0, 2, 3, 20, 25], [0, 1, 1, 31, 30], [0, 4, 6, 124, 120]]);
    const targets = {
      labels: Int32Array.from([1, 0, 2]),
      labelWeights: Float32Array.from([1, 1, 1]),
      bboxTargets: Float32Array.from([0.3, -0.2, 0.1, 0.4, -0.5, 0.2, 0.3, -0.1, 0, 0, 0, 0]),
      bboxWeights: Float32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]),
    };
    const lossOf = (a: tf.Tensor4D, b: tf.Tensor4D): tf.Scalar =>
      tf.tidy(() => {
        const l = head.loss(head.forward(e.forward([a, b], rois)), rois.dataSync() as Float32Array, targets);
        return l.loss_cls.add(l.loss_bbox) as tf.Scalar;
      });
    const [g0, g1] = tf.grads((a: tf.Tensor, b: tf.Tensor) => lossOf(a as tf.Tensor4D, b as tf.Tensor4D))([f0, f1]);
    expect(g0.abs().sum().dataSync()[0]).toBeGreaterThan(0);
    expect(g1.abs().sum().dataSync()[0]).toBeGreaterThan(0);
    const base0 = f0.dataSync();
    const base1 = f1.dataSync();
    const gd0 = g0.dataSync();
    const gd1 = g1.dataSync();
    const eps = 1e-2;
    const checked: number[] = [];
    const check = (level: 0 | 1, idx: number): void => {
      const plus = Float32Array.from(level === 0 ? base0 : base1);
      const minus = Float32Array.from(plus);
      plus[idx] += eps;
      minus[idx] -= eps;
      const at = (arr: Float32Array): number =>
        tf.tidy(() =>
          (level === 0 ? lossOf(tf.tensor4d(arr, f0.shape), f1) : lossOf(f0, tf.tensor4d(arr, f1.shape))).dataSync()[0],
        );
      const numeric = (at(plus) - at(minus)) / (2 * eps);
      const analytic = (level === 0 ? gd0 : gd1)[idx];
      checked.push(analytic);
      expect(Math.abs(numeric - analytic)).toBeLessThan(2e-4 + 0.03 * Math.abs(analytic));
    };
    // pixels inside the RoIs of each level (NHWC flat index)
    for (const [y, x, c] of [[2, 2, 0], [3, 1, 1], [4, 3, 0], [1, 2, 1]]) check(0, (y * 32 + x) * 2 + c);
    for (const [y, x, c] of [[5, 5, 0], [10, 8, 1], [3, 12, 0]]) check(1, (y * 16 + x) * 2 + c);
    // the checked pixels do carry gradient (on both levels)
    expect(checked.slice(0, 4).some((g) => Math.abs(g) > 1e-2)).toBe(true);
    expect(checked.slice(4).some((g) => Math.abs(g) > 1e-3)).toBe(true);
    tf.dispose([f0, f1, rois, g0, g1]);
    head.dispose();
  });
});

describe('RoIAlign gradients to the backbone (issue #9 acceptance)', () => {
  it('box and mask losses give a conv backbone gradients equal to finite differences', () => {
    const rng = new Rng(11);
    // backbone: one 3x3 conv (stride 4 level) and its 2x2 average pool (stride 8 level)
    const conv = new Conv2d({ in_channels: 3, out_channels: 2, kernel_size: 3, padding: 1 });
    conv.weight.assign(randomTensor(conv.weight.shape, rng).mul(0.5));
    const e = ROI_EXTRACTORS.build<SingleRoIExtractor>(extractorCfg([4, 8]));
    const head = HEADS.build<BBoxHead>({ ...bboxHeadCfg(2), init_cfg: { type: 'Normal', layer: 'Linear', std: 0.5 } });
    head.initWeights(new Rng(6));
    const maskE = ROI_EXTRACTORS.build<SingleRoIExtractor>({ ...extractorCfg([4, 8]), roi_layer: { type: 'RoIAlign', output_size: 4, sampling_ratio: 0 } });
    const maskHead = HEADS.build<FCNMaskHead>({ type: 'FCNMaskHead', num_convs: 1, in_channels: 2, conv_out_channels: 3, num_classes: 2 });
    maskHead.initWeights(new Rng(7));
    const img = randomTensor([1, 32, 32, 3], rng) as tf.Tensor4D;
    // two RoIs on level 0, one (sqrt(wh) >= 112) on level 1; the first two are positives with masks
    const roiRows = [[0, 2, 3, 20, 25], [0, 1, 1, 31, 30], [0, 4, 6, 124, 120]];
    const rois = tf.tensor2d(roiRows);
    const posRois = tf.tensor2d(roiRows.slice(0, 2));
    const targets = {
      labels: Int32Array.from([1, 0, 2]),
      labelWeights: Float32Array.from([1, 1, 1]),
      bboxTargets: new Float32Array(12),
      bboxWeights: new Float32Array(12),
    };
    const maskTargets = Float32Array.from({ length: 2 * 64 }, (_, i) => ((i * 7) % 5 < 2 ? 1 : 0));
    const loss = (): tf.Scalar =>
      tf.tidy(() => {
        const f0 = conv.forward(img);
        const feats = [f0, tf.avgPool(f0, 2, 2, 'valid') as tf.Tensor4D];
        const l = head.loss(head.forward(e.forward(feats, rois)), rois.dataSync() as Float32Array, targets);
        const m = maskHead.loss(maskHead.forward(maskE.forward(feats, posRois)), maskTargets, Int32Array.from([1, 0]));
        return l.loss_cls.add(m.loss_mask) as tf.Scalar;
      });
    const { grads, value } = tf.variableGrads(loss, [conv.weight]);
    const analytic = grads[conv.weight.name]!.dataSync();
    const base = conv.weight.dataSync().slice() as Float32Array;
    // small steps: a larger one moves ReLU units of the heads across their kink
    const eps = 1e-3;
    let carrying = 0;
    for (let i = 0; i < base.length; i++) {
      const at = (d: number): number => {
        const v = Float32Array.from(base);
        v[i] += d;
        conv.weight.assign(tf.tensor(v, conv.weight.shape));
        return tf.tidy(() => loss().dataSync()[0]!);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(numeric - analytic[i]!), `weight ${i}: numeric ${numeric}, analytic ${analytic[i]}`).toBeLessThan(1e-3 + 0.03 * Math.abs(analytic[i]!));
      if (Math.abs(analytic[i]!) > 1e-2) carrying++;
    }
    // every one of the 54 weights is checked, and most of them do carry gradient
    expect(carrying).toBeGreaterThan(base.length / 2);
    tf.dispose([img, rois, posRois, value, ...Object.values(grads)]);
    [conv, e, head, maskE, maskHead].forEach((m) => m.dispose());
  });
});

describe('BBoxHead', () => {
  it('targets: positives first with encoded deltas (stds .1 .1 .2 .2), background = num_classes', () => {
    const head = HEADS.build<BBoxHead>(bboxHeadCfg(3));
    const assign = new AssignResult(1, Int32Array.from([1, 0, 0]), new Float32Array(3), Int32Array.from([2, -1, -1]));
    const res = new SamplingResult(Int32Array.from([0]), Int32Array.from([1, 2]), Float32Array.from([0, 0, 10, 10, 20, 20, 30, 30, 5, 5, 8, 8]), Float32Array.from([1, 1, 11, 21]), assign, new Uint8Array(3));
    const t = head.getTargets([res], [Int32Array.from([2])]);
    expect(Array.from(t.labels)).toEqual([2, 3, 3]);
    expect(Array.from(t.labelWeights)).toEqual([1, 1, 1]);
    // px=5, py=5, pw=ph=10; gx=6, gy=11, gw=10, gh=20
    const want = [0.1 / 0.1, 0.6 / 0.1, 0, Math.log(2) / 0.2];
    Array.from(t.bboxTargets.subarray(0, 4)).forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    expect(Array.from(t.bboxWeights)).toEqual([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    head.dispose();
  });

  it('loss: CE over sampled RoIs, acc in percent, L1 of the own-class deltas summed over positives / all RoIs', () => {
    const head = HEADS.build<BBoxHead>(bboxHeadCfg(2));
    // 3 RoIs: one positive of class 1, two negatives
    const clsScore = tf.tensor2d([[0, 2, 0], [1, 0, 0], [0, 0, 3]]);
    const bboxPred = tf.tensor2d([[9, 9, 9, 9, 0.5, -0.5, 1, 0], [1, 1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2, 2, 2]]);
    const t = {
      labels: Int32Array.from([1, 2, 2]),
      labelWeights: Float32Array.from([1, 1, 1]),
      bboxTargets: Float32Array.from([0, 0, 0, 0.5, 0, 0, 0, 0, 0, 0, 0, 0]),
      bboxWeights: Float32Array.from([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]),
    };
    const l = tf.tidy(() => Object.fromEntries(Object.entries(head.loss({ clsScore, bboxPred }, new Float32Array(15), t)).map(([k, v]) => [k, v.dataSync()[0]])));
    expect(Object.keys(l)).toEqual(['loss_cls', 'acc', 'loss_bbox']);
    const lse = (r: number[]) => Math.log(r.reduce((s, v) => s + Math.exp(v), 0));
    const ce = (lse([0, 2, 0]) - 2 + (lse([1, 0, 0]) - 0) + (lse([0, 0, 3]) - 3)) / 3;
    expect(l.loss_cls).toBeCloseTo(ce, 5);
    // predictions: class 1, class 0 (wrong), background → 2 of 3 correct
    expect(l.acc).toBeCloseTo(200 / 3, 4);
    // |0.5| + |-0.5| + |1| + |0 - 0.5| = 2.5, divided by 3 sampled RoIs
    expect(l.loss_bbox).toBeCloseTo(2.5 / 3, 5);
    tf.dispose([clsScore, bboxPred]);
    head.dispose();
  });
});

describe('StandardRoIHead sampling', () => {
  it('samples `num` RoIs per image with at most num * pos_fraction positives, gts added as proposals', () => {
    const roiHead = HEADS.build<StandardRoIHead>({
      type: 'StandardRoIHead',
      bbox_roi_extractor: extractorCfg([4, 8]),
      bbox_head: bboxHeadCfg(3),
      train_cfg: {
        assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.5, neg_iou_thr: 0.5, min_pos_iou: 0.5, match_low_quality: false, ignore_iof_thr: -1 },
        sampler: { type: 'RandomSampler', num: 64, pos_fraction: 0.25, neg_pos_ub: -1, add_gt_as_proposals: true },
      },
    });
    const rng = new Rng(7);
    const gts = Float32Array.from([10, 10, 60, 60, 100, 40, 180, 120]);
    const meta = { filename: 'x', ori_filename: 'x', ori_shape: [200, 200, 3], img_shape: [200, 200, 3], pad_shape: [200, 200, 3], scale_factor: [1, 1, 1, 1], flip: false, flip_direction: null } as ImageMeta;
    const proposals = (nNear: number, nFar: number): Float32Array => {
      const rows: number[] = [];
      for (let i = 0; i < nNear; i++) {
        const g = 4 * (i % 2);
        rows.push(gts[g] + rng.uniform(-2, 2), gts[g + 1] + rng.uniform(-2, 2), gts[g + 2] + rng.uniform(-2, 2), gts[g + 3] + rng.uniform(-2, 2), 0.9);
      }
      for (let i = 0; i < nFar; i++) rows.push(150, 150 + (i % 30), 190, 190 + (i % 10) / 10, 0.1);
      return Float32Array.from(rows);
    };
    const samples = [{ meta, gt_bboxes: gts, gt_labels: Int32Array.from([0, 2]) }, { meta, gt_bboxes: gts, gt_labels: Int32Array.from([0, 2]) }];
    // image 0: 40 near-gt proposals (+2 gts) → 16 positives; image 1: 4 near (+2 gts) → all 6 positive
    const results = roiHead.sampleRois([proposals(40, 300), proposals(4, 300)], samples);
    expect(results.map((r) => r.posInds.length + r.negInds.length)).toEqual([64, 64]);
    expect(results.map((r) => r.posInds.length)).toEqual([16, 6]);
    // the gts sit at indices 0 and 1 of the sampled gallery and are positives of their own label
    expect(Array.from(results[1].posIsGt).filter((f) => f === 1)).toHaveLength(2);
    expect(Array.from(results[1].posGtLabels!).sort()).toEqual([0, 0, 0, 2, 2, 2]);
    roiHead.dispose();
  });
});

describe('StandardRoIHead mask branch', () => {
  it('a training image without gt_masks is a coded error naming the file', () => {
    const roiHead = HEADS.build<StandardRoIHead>({
      type: 'StandardRoIHead',
      bbox_roi_extractor: extractorCfg([4, 8]),
      bbox_head: bboxHeadCfg(3),
      mask_roi_extractor: { ...extractorCfg([4, 8]), roi_layer: { type: 'RoIAlign', output_size: 4, sampling_ratio: 0 } },
      mask_head: { type: 'FCNMaskHead', num_convs: 1, in_channels: 2, conv_out_channels: 2, num_classes: 3 },
      train_cfg: {
        assigner: { type: 'MaxIoUAssigner', pos_iou_thr: 0.5, neg_iou_thr: 0.5, min_pos_iou: 0.5, match_low_quality: false, ignore_iof_thr: -1 },
        sampler: { type: 'RandomSampler', num: 8, pos_fraction: 0.25, neg_pos_ub: -1, add_gt_as_proposals: true },
        mask_size: 8,
      },
    });
    const meta = { filename: 'img_7.jpg', ori_filename: 'img_7.jpg', ori_shape: [32, 32, 3], img_shape: [32, 32, 3], pad_shape: [32, 32, 3], scale_factor: [1, 1, 1, 1], flip: false, flip_direction: null } as ImageMeta;
    const feats = [tf.zeros([1, 8, 8, 2]) as tf.Tensor4D, tf.zeros([1, 4, 4, 2]) as tf.Tensor4D];
    const sample = { meta, gt_bboxes: Float32Array.from([4, 4, 20, 20]), gt_labels: Int32Array.from([1]) };
    expect(() => tf.tidy(() => void roiHead.forwardTrain(feats, [Float32Array.from([4, 4, 20, 20, 0.9])], [sample]))).toThrow(
      expect.objectContaining({ code: 'MASK_NO_GT_MASKS', file: 'img_7.jpg', hint: expect.stringContaining('with_mask=True') }),
    );
    tf.dispose(feats);
    roiHead.dispose();
  });
});

describe('linearFast', () => {
  it('matches Linear.forward in value and in gradients w.r.t. input, weight and bias (no leaks)', () => {
    const fc = new Linear({ in_features: 5, out_features: 3 });
    fc.initWeights(new Rng(8));
    const x = randomTensor([4, 5], new Rng(9)) as tf.Tensor2D;
    const dy = randomTensor([4, 3], new Rng(10));
    const before = tf.memory().numTensors;
    const grads = (f: () => tf.Tensor) =>
      tf.tidy(() => {
        const { value, grads: g } = tf.variableGrads(() => f().mul(dy).sum() as tf.Scalar, [fc.weight, fc.bias!]);
        const gx = tf.grad((xx: tf.Tensor) => (f === ref ? fc.forward(xx) : linearFast(fc, xx as tf.Tensor2D)).mul(dy).sum())(x);
        return [value, g[fc.weight.name], g[fc.bias!.name], gx].map((t) => Array.from(t.dataSync()));
      });
    const ref = () => fc.forward(x);
    const a = grads(ref);
    const b = grads(() => linearFast(fc, x));
    a.forEach((arr, i) => arr.forEach((v, j) => expect(b[i][j]).toBeCloseTo(v, 4)));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, dy]);
    fc.dispose();
  });
});
