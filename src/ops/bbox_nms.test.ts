import { expect, it } from 'vitest';
import { tf } from '../backend/index.js';
import { describeEachBackend } from '../testing/backend.js';
import { multiclassNms } from './bbox_nms.js';

describeEachBackend('multiclassNms', () => {
  it('thresholds, suppresses per class and sorts (hand computed, tensor inputs)', () => {
    // boxes 0 and 1 overlap (IoU 0.81); class 0 keeps box 0 only, class 1 keeps both (box 0 below thr)
    const boxes = tf.tensor2d([[0, 0, 10, 10], [1, 1, 10, 10], [50, 50, 60, 60]]);
    const scores = tf.tensor2d([[0.9, 0.01, 0.09], [0.6, 0.3, 0.1], [0.2, 0.7, 0.1]]);
    const r = multiclassNms(boxes, scores, 0.05, { type: 'nms', iou_threshold: 0.5 });
    expect(Array.from(r.labels)).toEqual([0, 1, 1, 0]);
    expect(Array.from(r.inds)).toEqual([0, 5, 3, 4]);
    expect(Array.from(r.dets.subarray(0, 5))).toEqual([0, 0, 10, 10, Math.fround(0.9)]);
    const top2 = multiclassNms(boxes, scores, 0.05, { iou_threshold: 0.5 }, { maxNum: 2 });
    expect(Array.from(top2.labels)).toEqual([0, 1]);
    const factors = multiclassNms(boxes, scores, 0.05, { iou_threshold: 0.5 }, { scoreFactors: new Float32Array([0.1, 1, 1]) });
    // box 0 scaled to 0.09 now loses to box 1 (0.6) in class 0
    expect(Array.from(factors.inds)).toEqual([5, 2, 3, 4]);
    expect(() => multiclassNms(tf.zeros([2, 4]) as tf.Tensor2D, scores, 0.05, { iou_threshold: 0.5 })).toThrow(
      expect.objectContaining({ code: 'OPS_BAD_SHAPE' }));
    tf.dispose([boxes, scores]);
  });
});
