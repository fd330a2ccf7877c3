/**
 * Golden parity of the detection ops (src/ops/) with PyTorch / torchvision, on fixtures made by
 * `tools/gen_op_fixtures.py` (see its header for how each reference is computed).
 *
 * Tolerances: nms / batched_nms / multiclass_nms indices must match exactly (float32 IoU like the
 * C++ kernels); box/score values exactly (they are copies). bbox_overlaps: 1e-6 absolute (typed
 * arrays, float32 arithmetic) and 1e-5 (tensors). roi_align: 1e-5 relative to the largest
 * magnitude (float32 accumulation order differs). Gradients and focal loss: 1e-5 relative.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/index.js';
import {
  batchedNms, bboxOverlaps, bboxOverlapsArray, multiclassNms, nms, roiAlign, sigmoidFocalLoss, softNms,
  type NmsConfig, type OverlapMode, type SoftNmsOptions,
} from '../../src/ops/index.js';
import { describeEachBackend, relativeError } from '../../src/testing/backend.js';

const load = <T>(name: string): { cases: T[] } =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/ops', name), 'utf8')) as { cases: T[] };

interface NmsCase { name: string; boxes: number[]; scores: number[]; iou_threshold: number; offset: 0 | 1; keep: number[] }
interface BatchedCase {
  name: string; boxes: number[]; scores: number[]; idxs: number[]; nms_cfg: NmsConfig; class_agnostic: boolean;
  dets: number[]; keep: number[];
}
interface McCase {
  name: string; n: number; num_classes: number; multi_bboxes: number[]; box_dim: number; multi_scores: number[];
  score_thr: number; nms_cfg: NmsConfig; max_num: number; score_factors: number[] | null;
  dets: number[]; labels: number[]; inds: number[];
}
interface OverlapCase {
  name: string; n: number; m: number; bboxes1: number[]; bboxes2: number[]; mode: OverlapMode; is_aligned: boolean;
  overlaps: number[]; grad_weight: number[]; grad_bboxes1: number[] | null;
}
interface RoiCase {
  name: string; features_shape: [number, number, number, number]; features: number[]; rois: number[]; k: number;
  output_size: [number, number]; spatial_scale: number; sampling_ratio: number; aligned: boolean;
  output: number[]; grad_output: number[]; grad_features: number[];
}
interface FocalCase {
  name: string; n: number; c: number; logits: number[]; labels: number[]; onehot_input: boolean; gamma: number;
  alpha: number; weight: number[] | null; weight_shape: number[] | null; reduction: 'none' | 'mean' | 'sum';
  avg_factor: number | null; loss: number[]; grad_weight: number[]; grad_logits: number[];
}

const f32 = (a: number[]): Float32Array => Float32Array.from(a);

describe('nms vs torchvision', () => {
  for (const c of load<NmsCase>('nms.json').cases) {
    it(c.name, () => {
      expect(Array.from(nms(f32(c.boxes), f32(c.scores), c.iou_threshold, { offset: c.offset }))).toEqual(c.keep);
    });
  }
});

describe('batched_nms vs mmcv rules', () => {
  for (const c of load<BatchedCase>('batched_nms.json').cases) {
    it(c.name, () => {
      const { dets, keep } = batchedNms(f32(c.boxes), f32(c.scores), Int32Array.from(c.idxs), c.nms_cfg, c.class_agnostic);
      expect(Array.from(keep)).toEqual(c.keep);
      expect(Array.from(dets)).toEqual(c.dets);
    });
  }
});

interface SoftCase { name: string; boxes: number[]; scores: number[]; iou_threshold: number; options: Record<string, number | string>; dets: number[]; inds: number[] }
interface SoftBatchedCase { name: string; boxes: number[]; scores: number[]; idxs: number[]; nms_cfg: NmsConfig; dets: number[]; keep: number[] }

describe('soft_nms vs mmcv kernel (float32 transcription)', () => {
  const fx = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/ops/soft_nms.json'), 'utf8')) as
    { cases: SoftCase[]; batched: SoftBatchedCase[] };
  for (const c of fx.cases) {
    it(c.name, () => {
      const o = c.options;
      const opts: SoftNmsOptions = {
        ...(o.method === undefined ? {} : { method: o.method as SoftNmsOptions['method'] & string }),
        ...(o.sigma === undefined ? {} : { sigma: o.sigma as number }),
        ...(o.min_score === undefined ? {} : { minScore: o.min_score as number }),
        ...(o.offset === undefined ? {} : { offset: o.offset as 0 | 1 }),
      };
      const r = softNms(f32(c.boxes), f32(c.scores), c.iou_threshold, opts);
      expect(Array.from(r.inds)).toEqual(c.inds);
      expect(relativeError(r.dets, c.dets)).toBeLessThan(1e-6);
    });
  }
  for (const c of fx.batched) {
    it(c.name, () => {
      const r = batchedNms(f32(c.boxes), f32(c.scores), Int32Array.from(c.idxs), c.nms_cfg);
      expect(Array.from(r.keep)).toEqual(c.keep);
      expect(relativeError(r.dets, c.dets)).toBeLessThan(1e-6);
    });
  }
});

describe('multiclass_nms vs mmdet', () => {
  for (const c of load<McCase>('multiclass_nms.json').cases) {
    it(c.name, () => {
      const r = multiclassNms(
        { data: f32(c.multi_bboxes), shape: [c.n, c.box_dim] },
        { data: f32(c.multi_scores), shape: [c.n, c.num_classes + 1] },
        c.score_thr, c.nms_cfg,
        c.score_factors === null ? { maxNum: c.max_num } : { maxNum: c.max_num, scoreFactors: f32(c.score_factors) },
      );
      expect(Array.from(r.inds)).toEqual(c.inds);
      expect(Array.from(r.labels)).toEqual(c.labels);
      expect(Array.from(r.dets)).toEqual(c.dets);
    });
  }
});

describe('bbox_overlaps (typed arrays) vs mmdet', () => {
  for (const c of load<OverlapCase>('bbox_overlaps.json').cases) {
    it(c.name, () => {
      const out = bboxOverlapsArray(f32(c.bboxes1), f32(c.bboxes2), { mode: c.mode, isAligned: c.is_aligned });
      expect(out.length).toBe(c.overlaps.length);
      out.forEach((v, i) => expect(Math.abs(v - c.overlaps[i]!)).toBeLessThanOrEqual(1e-6));
    });
  }
});

describeEachBackend('golden tensor ops', () => {
  describe('bbox_overlaps (tensors) vs mmdet, and its gradient', () => {
    for (const c of load<OverlapCase>('bbox_overlaps.json').cases) {
      it(c.name, () => {
        const b1 = tf.tensor2d(c.bboxes1, [c.n, 4]);
        const b2 = tf.tensor2d(c.bboxes2, [c.m, 4]);
        const out = bboxOverlaps(b1, b2, { mode: c.mode, isAligned: c.is_aligned });
        const vals = out.dataSync();
        expect(vals.length).toBe(c.overlaps.length);
        vals.forEach((v, i) => expect(Math.abs(v - c.overlaps[i]!)).toBeLessThanOrEqual(1e-5));
        if (c.grad_bboxes1 !== null) {
          const w = tf.tensor(c.grad_weight, out.shape);
          const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(bboxOverlaps(x as tf.Tensor2D, b2, { mode: c.mode, isAligned: c.is_aligned }), w)))(b1);
          expect(relativeError(g.dataSync(), c.grad_bboxes1)).toBeLessThan(1e-5);
          tf.dispose([w, g]);
        }
        tf.dispose([b1, b2, out]);
      });
    }
  });

  describe('roi_align vs torchvision (forward and gradient w.r.t. features)', () => {
    for (const c of load<RoiCase>('roi_align.json').cases) {
      it(c.name, () => {
        const feat = tf.tensor4d(c.features, c.features_shape);
        const rois = tf.tensor2d(c.rois, [c.k, 5]);
        const opts = { outputSize: c.output_size, spatialScale: c.spatial_scale, samplingRatio: c.sampling_ratio, aligned: c.aligned };
        const out = roiAlign(feat, rois, opts);
        expect(out.shape).toEqual([c.k, ...c.output_size, c.features_shape[3]]);
        const gOut = tf.tensor4d(c.grad_output, out.shape);
        const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(roiAlign(x as tf.Tensor4D, rois, opts), gOut)))(feat);
        // read the first output only after later calls (no aliasing of the kernel's buffers)
        expect(relativeError(out.dataSync(), c.output)).toBeLessThan(1e-5);
        expect(relativeError(g.dataSync(), c.grad_features)).toBeLessThan(1e-5);
        tf.dispose([feat, rois, out, gOut, g]);
      });
    }
  });

  describe('sigmoid_focal_loss vs mmdet formula (loss and gradient)', () => {
    for (const c of load<FocalCase>('focal_loss.json').cases) {
      it(c.name, () => {
        const logits = tf.tensor2d(c.logits, [c.n, c.c]);
        const labels = tf.tensor1d(c.labels, 'int32');
        const target = c.onehot_input ? tf.slice(tf.oneHot(labels, c.c + 1), [0, 0], [c.n, c.c]) : labels;
        const weight = c.weight === null ? undefined : tf.tensor(c.weight, c.weight_shape!);
        const opts = {
          gamma: c.gamma, alpha: c.alpha, reduction: c.reduction,
          ...(weight === undefined ? {} : { weight }), ...(c.avg_factor === null ? {} : { avgFactor: c.avg_factor }),
        };
        const loss = sigmoidFocalLoss(logits, target, opts);
        expect(relativeError(loss.dataSync(), c.loss)).toBeLessThan(1e-5);
        const gw = tf.tensor(c.grad_weight, loss.shape);
        const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(sigmoidFocalLoss(x as tf.Tensor2D, target, opts), gw)))(logits);
        expect(relativeError(g.dataSync(), c.grad_logits)).toBeLessThan(1e-5);
        tf.dispose([logits, labels, target, loss, gw, g]);
        if (weight !== undefined) weight.dispose();
      });
    }
  });
});
